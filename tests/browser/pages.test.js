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
  const code = await p.evaluate(() => window.T.create({ wasm: '/nowhere/attune.wasm' }).then(() => 'ok', (e) => e.code));
  assert.equal(code, 'wasm_unavailable');
  assert.ok(env.requests.some((r) => r.path === '/nowhere/attune.wasm'));
  assert.ok(env.requests.some((r) => r.path === '/dist/attune.wasm'));
  await context.close();
});
