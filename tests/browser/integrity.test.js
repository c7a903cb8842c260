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

test('attune.js loads with its published sha384 value, and the wasm with wasmIntegrity (a value or integrity.json)', async () => {
  const context = await env.browser.newContext();
  const p = await open(context, env.url(page('sri-ok', integrity['attune.js'])));
  const out = await p.evaluate(async ({ catalog, integrity }) => {
    /* the engine the page gets, and the errors it reports just after createEngine resolves */
    const attempt = async (wasmIntegrity) => {
      const engine = await window.Attune.createEngine({ catalog, storage: 'memory', wasmIntegrity });
      const errors = [];
      engine.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
      await new Promise((r) => setTimeout(r, 20));
      return { degraded: engine.degraded, n: engine.recommend().length, errors };
    };
    return {
      value: await attempt(integrity['attune.wasm']),
      object: await attempt(integrity),
      wrong: await attempt('sha384-' + 'A'.repeat(64)),
      noEntry: await attempt({ 'attune.js': integrity['attune.js'] }),
    };
  }, { catalog, integrity });
  assert.deepEqual(out.value, { degraded: false, n: 2, errors: [] });
  assert.deepEqual(out.object, { degraded: false, n: 2, errors: [] });
  /* a wrong hash is refused: the page gets the fallback engine, still showing content */
  assert.equal(out.wrong.degraded, true);
  assert.equal(out.wrong.n, 2);
  assert.equal(out.wrong.errors.length, 1);
  assert.match(out.wrong.errors[0], /^wasm_unavailable: /);
  /* an integrity object without the file's entry never loads the wasm unchecked */
  assert.equal(out.noEntry.degraded, true);
  assert.match(out.noEntry.errors[0], /^wasm_unavailable: .*wasmIntegrity has no entry for "attune\.wasm"/);
  await context.close();
});

test('a page pinning the wrong hash does not run attune.js', async () => {
  const context = await env.browser.newContext();
  const p = await open(context, env.url(page('sri-bad', 'sha384-' + 'A'.repeat(64))));
  assert.equal(await p.evaluate(() => typeof window.Attune), 'undefined');
  assert.ok(p.errors.some((e) => /integrity/i.test(e)), p.errors.join('\n'));
  await context.close();
});
