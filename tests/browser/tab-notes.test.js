// Tabs tell each other: after a commit, the writing tab posts a BroadcastChannel note, and
// another tab with the same profile picks the change up (it reads, merges and ranks with it)
// without writing anything itself; a note that the user chose level none makes the other
// tab drop to none as well.  Each test runs in a fresh browser context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());


/** In page `p`: an engine, a recorder of its transactions, and window.synced (a 'sync' change). */
function listeningTab(p) {
  return p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 0 });
    window.log = tools.recordTransactions();
    window.synced = new Promise((ok) => {
      window.T.engine.on('change', (e) => { if (e.reason === 'sync') ok(e.level); });
    });
  });
}

/** In page `p`: waits (10 s at most) for the 'sync' change; resolves its level or 'no sync'. */
function awaitSync(p) {
  return p.evaluate(() => Promise.race([window.synced, new Promise((r) => setTimeout(() => r('no sync'), 10000))]));
}

test('another tab\'s save reaches this tab through the note: it merges and ranks with it, writing nothing', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await listeningTab(b);
  const top = await b.evaluate(() => window.T.engine.recommend({ k: 3 }).map((r) => r.id));
  assert.ok(top.includes('item-0'), 'before: the most popular item ranks first');
  const written = await a.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.engine.track({ item: 'item-0', type: 'click' });
    await window.T.engine.flush();
    return (await tools.all('profiles')).map((r) => r.rev);
  });
  assert.equal(await awaitSync(b), 'behavioral');
  const out = await b.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    return {
      history: (await window.T.engine.export()).history.map((h) => h.item),
      top: window.T.engine.recommend({ k: 3 }).map((r) => r.id),
      writes: window.log.filter((t) => t.mode !== 'readonly').length,
      reads: window.log.length,
      revs: (await tools.all('profiles')).map((r) => r.rev),
      errors: window.T.errors,
    };
  });
  assert.deepEqual(out.history, ['item-0'], 'this tab now holds the other tab\'s event');
  assert.ok(!out.top.includes('item-0'), 'and ranks with it: the seen item is no longer offered');
  assert.equal(out.writes, 0, 'picking the change up wrote nothing');
  assert.ok(out.reads >= 1, 'it read the stored profile');
  assert.deepEqual(out.revs, written, 'the stored record is still the one the other tab wrote');
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('a tab that chooses level none tells the others, which drop to none and store nothing', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await listeningTab(b);
  await b.evaluate(async () => {
    await window.T.engine.track({ item: 'item-2', type: 'click' });
    await window.T.engine.flush();
  });
  await b.evaluate(() => {
    window.synced = new Promise((ok) => {
      window.T.engine.on('change', (e) => { if (e.reason === 'sync' && e.level === 'none') ok(e.level); });
    });
  });
  await a.evaluate(() => window.T.engine.setPrivacyLevel('none'));
  assert.equal(await awaitSync(b), 'none');
  const out = await b.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const e = window.T.engine;
    await e.track({ item: 'item-3', type: 'click' });
    await e.flush();
    return {
      level: e.level,
      history: (await e.export()).history.length,
      profiles: await tools.all('profiles'),
      pending: await tools.all('pending'),
      errors: window.T.errors,
    };
  });
  assert.deepEqual(out, { level: 'none', history: 0, profiles: [], pending: [], errors: [] });
  await context.close();
});
