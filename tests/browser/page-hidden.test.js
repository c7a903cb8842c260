// A page that becomes hidden may never run again (mobile browsers kill background tabs
// without a pagehide), so on visibilitychange → hidden the engine writes what its debounce
// still holds to `pending` at once.  A page killed after that loses nothing; a page that
// comes back goes on saving normally and its next save consumes the stash.  Each test runs in
// a fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());


/**
 * In page `p`: an engine whose debounce holds `items` (it would write in a minute), then the
 * page becomes hidden — headless Chromium never hides a page, so the document says it is
 * hidden and gets the event, as a real switch of tabs would give it.  Resolves what IndexedDB
 * holds once the stash has landed.
 */
function trackThenHide(p, items) {
  return p.evaluate(async (items) => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 60000 });
    for (const item of items) await window.T.engine.track({ item, type: 'click' });
    window.visibility = 'hidden';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => window.visibility });
    document.dispatchEvent(new Event('visibilitychange'));
    const landed = await tools.until(async () => (await tools.all('pending')).length > 0);
    const pending = await tools.all('pending');
    return {
      landed,
      pending: await Promise.all(pending.map(async (r) => ({ profileId: r.profileId, items: await tools.itemsOf(r.bytes) }))),
      profiles: await tools.all('profiles'),
      errors: window.T.errors,
    };
  }, items);
}

test('a page that becomes hidden stashes what the debounce held, and a kill without pagehide loses nothing', async () => {
  const context = await env.browser.newContext();
  const a = await env.ready(context);
  const hidden = await trackThenHide(a, ['item-7', 'item-8']);
  assert.equal(hidden.landed, true, 'the stash was written while the page was only hidden');
  assert.deepEqual(hidden.pending, [{ profileId: 'default', items: ['item-7', 'item-8'] }]);
  assert.deepEqual(hidden.profiles, [], 'the debounced save itself has not run');
  assert.deepEqual(hidden.errors, []);
  /* the browser kills the background tab: no pagehide, no unload, no timers */
  const cdp = await context.newCDPSession(a);
  const crashed = new Promise((r) => a.once('crash', r));
  cdp.send('Page.crash').catch(() => {});
  await crashed;
  const b = await env.ready(context);
  const out = await b.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 0 });
    return {
      loaded: (await window.T.engine.export()).history.map((h) => h.item).sort(),
      stored: await tools.storedItems(),
      pending: (await tools.all('pending')).length,
      errors: window.T.errors,
    };
  });
  assert.deepEqual(out, { loaded: ['item-7', 'item-8'], stored: ['item-7', 'item-8'], pending: 0, errors: [] },
    'the next page loads the stash, stores it as the profile and clears pending');
  await context.close();
});

test('a page that comes back from hidden saves as usual, consuming its stash without counting anything twice', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const hidden = await trackThenHide(p, ['item-7']);
  assert.deepEqual(hidden.pending, [{ profileId: 'default', items: ['item-7'] }]);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    window.visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await window.T.engine.track({ item: 'item-9', type: 'click' });
    await window.T.engine.flush();
    const clicks = (x) => Object.values(x.metrics.clicks).flat().reduce((a, b) => a + b, 0);
    const memory = await window.T.engine.export();
    const stored = await window.T.decode((await tools.all('profiles'))[0].bytes);
    return {
      memory: { history: memory.history.map((h) => `${h.item}:${h.type}`).sort(), clicks: clicks(memory) },
      stored: { history: stored.history.map((h) => `${h.item}:${h.type}`).sort(), clicks: clicks(stored) },
      pending: (await tools.all('pending')).length,
      errors: window.T.errors,
    };
  });
  const expected = { history: ['item-7:click', 'item-9:click'], clicks: 2 };
  assert.deepEqual(out, { memory: expected, stored: expected, pending: 0, errors: [] });
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('another tab merges a hidden page\'s stash; back in view, the page saves without counting its stash twice', async () => {
  const context = await env.browser.newContext();
  const a = await env.ready(context);
  const hidden = await trackThenHide(a, ['item-7']);
  assert.deepEqual(hidden.pending, [{ profileId: 'default', items: ['item-7'] }]);
  const b = await env.ready(context);
  await b.evaluate(async () => {
    await window.T.create({ saveDelayMs: 0 });
    await window.T.engine.track({ item: 'item-8', type: 'click' });
    await window.T.engine.flush(); /* B's write merges A's stash in and deletes it */
  });
  const clicks = (x) => Object.values(x.metrics.clicks).flat().reduce((s, v) => s + v, 0);
  const out = await a.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    window.visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await window.T.engine.track({ item: 'item-9', type: 'click' });
    await window.T.engine.flush();
    return {
      memory: await window.T.engine.export(),
      stored: await window.T.decode((await tools.all('profiles'))[0].bytes),
      pending: (await tools.all('pending')).length,
      errors: window.T.errors,
    };
  });
  const expected = { history: ['item-7', 'item-8', 'item-9'], clicks: 3 };
  const view = (x) => ({ history: x.history.map((h) => h.item).sort(), clicks: clicks(x) });
  assert.deepEqual({ memory: view(out.memory), stored: view(out.stored), pending: out.pending, errors: out.errors },
    { memory: expected, stored: expected, pending: 0, errors: [] });
  await context.close();
});
