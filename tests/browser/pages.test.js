// The library as pages meet it: the <script> include and the ES module both rank, under a
// strict Content-Security-Policy too, without console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, CSP } from './harness.js';

let env;
before(async () => { env = await start({ csp: CSP }); });
after(() => env.close());

for (const page of ['esm', 'script']) {
  test(`the ${page} page ranks under script-src 'self' 'wasm-unsafe-eval'`, async () => {
    const context = await env.browser.newContext();
    const p = await open(context, env.url(`/tests/browser/pages/${page}.html`));
    await p.waitForSelector('body[data-ready=yes]');
    assert.equal(await p.evaluate(() => window.T.create()), 'behavioral');
    assert.equal(await p.evaluate(() => window.T.render()), 5);
    await p.evaluate(() => window.T.engine.track({ item: 'item-3', type: 'click' }));
    const list = await p.evaluate(() => window.T.engine.recommend({ k: 3 }).map((r) => r.id));
    assert.equal(list.length, 3);
    assert.ok(!list.includes('item-3'), 'a clicked item is not recommended again');
    assert.deepEqual(p.errors, []);
    await context.close();
  });
}

test('the <script> build finds attune.wasm beside itself and accepts an override', async () => {
  const context = await env.browser.newContext();
  const p = await open(context, env.url('/tests/browser/pages/script.html'));
  await p.waitForSelector('body[data-ready=yes]');
  /* a wasm that cannot be fetched: the page still gets a ranked list, and is told why */
  const out = await p.evaluate(async () => {
    await window.T.create({ wasm: '/nowhere/attune.wasm' });
    await new Promise((r) => setTimeout(r, 10));
    return { degraded: window.T.engine.degraded, n: window.T.engine.recommend({ k: 4 }).length, errors: window.T.errors.map((e) => e.code) };
  });
  assert.deepEqual(out, { degraded: true, n: 4, errors: ['wasm_unavailable'] });
  assert.ok(env.requests.some((r) => r.path === '/nowhere/attune.wasm'));
  assert.ok(env.requests.some((r) => r.path === '/dist/attune.wasm'));
  await context.close();
});

test("under a CSP without 'wasm-unsafe-eval' the page still ranks, by popularity, and is told why", async () => {
  const strict = await start({ csp: "default-src 'self'; script-src 'self'; connect-src 'self'" });
  try {
    const context = await strict.browser.newContext();
    const p = await context.newPage();
    await p.goto(strict.url('/tests/browser/pages/esm.html'));
    await p.waitForSelector('body[data-ready=yes]');
    const out = await p.evaluate(async () => {
      await window.T.create();
      await window.T.engine.track({ item: 'item-3', type: 'click' });
      await window.T.engine.flush();
      await new Promise((r) => setTimeout(r, 10));
      return {
        degraded: window.T.engine.degraded, level: window.T.engine.level,
        list: window.T.engine.recommend({ k: 3 }).map((r) => r.id), errors: window.T.errors.map((e) => e.code),
        stored: (await indexedDB.databases()).length,
      };
    });
    assert.deepEqual(out, { degraded: true, level: 'none', list: ['item-0', 'item-1', 'item-2'], errors: ['wasm_unavailable'], stored: 0 });
    await context.close();
  } finally {
    await strict.close();
  }
});

test('where WebAssembly SIMD is missing the scalar build is loaded, and ranks the same', async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    const validate = WebAssembly.validate;
    /* pretend SIMD is missing: refuse any module using the SIMD prefix opcode 0xfd */
    WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
  });
  const before = env.requests.length;
  const p = await open(context, env.url('/tests/browser/pages/esm.html'));
  await p.waitForSelector('body[data-ready=yes]');
  await p.evaluate(() => window.T.create({ storage: 'memory' }));
  const scalar = await p.evaluate(() => window.T.engine.recommend({ k: 5 }).map((r) => r.id));
  const paths = env.requests.slice(before).map((r) => r.path);
  assert.ok(paths.includes('/dist/attune-scalar.wasm'), paths.join(' '));
  assert.ok(!paths.includes('/dist/attune.wasm'));
  const simdPage = await open(await env.browser.newContext(), env.url('/tests/browser/pages/esm.html'));
  await simdPage.waitForSelector('body[data-ready=yes]');
  await simdPage.evaluate(() => window.T.create({ storage: 'memory' }));
  assert.deepEqual(await simdPage.evaluate(() => window.T.engine.recommend({ k: 5 }).map((r) => r.id)), scalar);
  await context.close();
});
