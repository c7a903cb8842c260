// Subresource Integrity: pages can pin attune.js with the published sha384 value, and the glue
// pins attune.wasm with `wasmIntegrity`.  A wrong value is refused, proving the check is live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { start, open, ROOT } from './harness.js';

let env;
const dir = `${ROOT}build/test-pages`;
const integrity = JSON.parse(readFileSync(`${ROOT}dist/integrity.json`, 'utf8'));

function page(name, scriptIntegrity) {
  writeFileSync(`${dir}/${name}.html`, '<!doctype html><html><head><meta charset="utf-8"><title>sri</title>' +
    `<script src="/dist/attune.js" integrity="${scriptIntegrity}" crossorigin="anonymous"></script></head>` +
    '<body></body></html>');
  return `/build/test-pages/${name}.html`;
}

before(async () => {
  mkdirSync(dir, { recursive: true });
  env = await start();
});
after(async () => {
  await env.close();
  rmSync(dir, { recursive: true, force: true });
});

const catalog = { version: 1, items: [{ id: 'a', tags: ['x'] }, { id: 'b', tags: ['y'] }] };

test('attune.js loads with its published sha384 value, and the wasm with wasmIntegrity', async () => {
  const context = await env.browser.newContext();
  const p = await open(context, env.url(page('sri-ok', integrity['attune.js'])));
  const out = await p.evaluate(async ({ catalog, wasmIntegrity }) => {
    const ok = await window.Attune.createEngine({ catalog, storage: 'memory', wasmIntegrity });
    const bad = await window.Attune.createEngine({ catalog, storage: 'memory', wasmIntegrity: 'sha384-AAAA' })
      .then(() => 'loaded', (e) => e.code);
    return { n: ok.recommend().length, bad };
  }, { catalog, wasmIntegrity: integrity['attune.wasm'] });
  assert.deepEqual(out, { n: 2, bad: 'wasm_unavailable' });
  await context.close();
});

test('a page pinning the wrong hash does not run attune.js', async () => {
  const context = await env.browser.newContext();
  const p = await open(context, env.url(page('sri-bad', 'sha384-' + 'A'.repeat(64))));
  assert.equal(await p.evaluate(() => typeof window.Attune), 'undefined');
  assert.ok(p.errors.some((e) => /integrity/i.test(e)), p.errors.join('\n'));
  await context.close();
});
