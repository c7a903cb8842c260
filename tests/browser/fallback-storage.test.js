// The fallback engine (the page could not load attune.wasm) still honours a deletion: a profile
// an earlier visit stored in IndexedDB is gone once forget() or setPrivacyLevel('none')
// resolves.  Each test runs in a fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());

for (const erase of ['forget', 'none']) {
  test(`a fallback engine's ${erase === 'none' ? "setPrivacyLevel('none')" : 'forget()'} deletes the profile stored in IndexedDB`, async () => {
    const context = await env.browser.newContext();
    const p = await env.ready(context);
    const out = await p.evaluate(async (how) => {
      const T = window.T;
      await T.create();
      await T.engine.track({ item: 'item-3', type: 'click' });
      await T.engine.flush();
      T.engine.close();
      await T.engine.flush();
      const stored = (await T.readIDB()).length;
      await T.create({ wasm: '/nowhere/attune.wasm' });
      const degraded = T.engine.degraded;
      if (how === 'forget') await T.engine.forget();
      else await T.engine.setPrivacyLevel('none');
      const left = (await T.readIDB()).length;
      await T.engine.flush();
      T.engine.close();
      /* the wasm engine on the next visit finds nothing either */
      await T.create();
      const history = (await T.engine.export()).history.length;
      return { stored, degraded, left, history, errors: T.errors.map((e) => e.code) };
    }, erase);
    assert.deepEqual(out, { stored: 1, degraded: true, left: 0, history: 0, errors: ['wasm_unavailable'] });
    await context.close();
  });
}
