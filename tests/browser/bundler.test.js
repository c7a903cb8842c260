// The npm package as a front-end team meets it: `npm pack`, install the tarball into a fresh
// Vite app, `vite build`, serve the output and check in Chromium that recommendations render
// (which proves the bundler found and emitted attune.wasm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, open, ROOT } from './harness.js';
import { serveStatic } from '../../scripts/serve.mjs';

let dir;
let env;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-vite-'));
  env = await start();
});
after(async () => {
  await env.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

test('a Vite app built against the packed tarball renders recommendations', async () => {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT))[0];
  const files = packed.files.map((f) => f.path);
  assert.ok(files.includes('dist/attune.wasm') && files.includes('dist/attune-scalar.wasm'), 'the tarball ships both wasm builds');
  assert.ok(files.includes('js/index.d.ts'), 'the tarball ships the types');
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/')), 'only what users need is packed');

  const app = join(dir, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(app, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>app</title></head>' +
    '<body><ol id="recs"></ol><script type="module" src="/src/main.js"></script></body></html>');
  writeFileSync(join(app, 'src', 'main.js'), `
import { createEngine } from 'attune';
const items = Array.from({ length: 20 }, (_, i) => ({ id: 'p' + i, tags: ['t' + (i % 3)], popularity: 100 - i }));
const engine = await createEngine({ catalog: { version: 1, items }, storage: 'memory' });
await engine.track({ item: 'p1', type: 'click' });
document.getElementById('recs').replaceChildren(...engine.recommend({ k: 4 }).map((r) => {
  const li = document.createElement('li');
  li.textContent = r.id;
  return li;
}));
document.body.dataset.done = 'yes';
`);
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, packed.filename)], app);
  run(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], app);
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.equal(assets.filter((f) => /^attune-.*\.wasm$/.test(f)).length, 2,
    `vite emitted both wasm builds (assets: ${assets.join(', ')})`);

  const server = await serveStatic({ root: join(app, 'dist') });
  try {
    const context = await env.browser.newContext();
    const page = await open(context, `${server.url}/`);
    await page.waitForSelector('body[data-done=yes]');
    const ids = await page.$$eval('#recs li', (lis) => lis.map((li) => li.textContent));
    assert.equal(ids.length, 4);
    assert.ok(!ids.includes('p1'));
    assert.deepEqual(page.errors, []);
    await context.close();
  } finally {
    await new Promise((r) => server.close(r));
  }
});
