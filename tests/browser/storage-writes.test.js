// How a save reaches IndexedDB: saves commit with relaxed durability while schema migrations
// keep the default; every write of a profile runs under the Web Lock
// `attune:<dbName>:<profileId>`, so a tab holding it holds the others' writes back; and
// `persist: true` asks the browser to keep the data (navigator.storage.persist()), which the
// default never does.  Each test runs in a fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());


test('saves commit in readwrite transactions with relaxed durability', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const log = tools.recordTransactions();
    await window.T.create({ saveDelayMs: 0 });
    const stored = [];
    for (const item of ['item-1', 'item-2', 'item-3']) {
      await window.T.engine.track({ item, type: 'click' });
      await window.T.engine.flush();
      stored.push(await tools.storedItems());
    }
    return { writes: log.filter((t) => t.mode === 'readwrite'), stored, errors: window.T.errors };
  });
  assert.deepEqual(out.stored, [['item-1'], ['item-1', 'item-2'], ['item-1', 'item-2', 'item-3']], 'each flush stored the profile');
  assert.equal(out.writes.length, 3, 'one readwrite transaction per save');
  for (const t of out.writes) assert.deepEqual(t, { db: 'attune', stores: 'profiles,pending', mode: 'readwrite', durability: 'relaxed' });
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('schema migrations, from nothing and from version 1, run with the default durability', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const { createEngine, MemoryStorage } = await import('/js/index.js');
    const { catalog } = await import('/tests/browser/pages/catalog.js');
    const upgrades = [];
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) {
      const req = open.apply(this, args);
      req.addEventListener('upgradeneeded', (e) => {
        upgrades.push({ db: args[0], from: e.oldVersion, to: e.newVersion, mode: req.transaction.mode, durability: req.transaction.durability });
      });
      return req;
    };
    const request = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    /* a database as the first schema left it, holding a real snapshot */
    const memory = new MemoryStorage();
    const e = await createEngine({ catalog: catalog(), storage: memory, saveDelayMs: 0 });
    await e.track({ item: 'item-4', type: 'click' });
    await e.flush();
    e.close();
    const req = indexedDB.open('old', 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('profiles', { keyPath: 'id' });
      req.result.createObjectStore('quarantine', { autoIncrement: true });
      req.transaction.objectStore('profiles').put({ id: 'default', rev: 'r1', bytes: memory.peek('default'), savedAt: 0 });
    };
    (await request(req)).close();
    upgrades.length = 0;

    await window.T.create({ saveDelayMs: 0 }); /* creates 'attune' */
    window.T.engine.close();
    await window.T.create({ saveDelayMs: 0, dbName: 'old' }); /* upgrades 'old' from 1 to 2 */
    const loaded = (await window.T.engine.export()).history.map((h) => h.item);
    const db = await request(indexedDB.open('old'));
    const schema = { version: db.version, stores: [...db.objectStoreNames].sort() };
    db.close();
    return { upgrades, loaded, schema, stored: await tools.storedItems('default', 'old'), errors: window.T.errors };
  });
  assert.deepEqual(out.upgrades, [
    { db: 'attune', from: 0, to: 2, mode: 'versionchange', durability: 'default' },
    { db: 'old', from: 1, to: 2, mode: 'versionchange', durability: 'default' },
  ]);
  assert.deepEqual(out.schema, { version: 2, stores: ['pending', 'profiles', 'quarantine'] });
  assert.deepEqual(out.loaded, ['item-4'], 'the profile stored under version 1 survived the migration');
  assert.deepEqual(out.stored, ['item-4']);
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('every save and deletion runs while holding the Web Lock attune:<dbName>:<profileId>', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const held = []; /* the locks held when each readwrite transaction was created */
    tools.recordTransactions((t) => {
      if (t.mode === 'readwrite') held.push(navigator.locks.query().then((q) => q.held.map((l) => l.name)));
    });
    await window.T.create({ saveDelayMs: 0, dbName: 'shop', profileId: 'alice' });
    const e = window.T.engine;
    await e.track({ item: 'item-1', type: 'click' });
    await e.flush();
    await e.track({ item: 'item-2', type: 'click' });
    await e.flush();
    const stored = await tools.storedItems('alice', 'shop');
    await e.forget();
    return { held: await Promise.all(held), stored, after: await tools.storedItems('alice', 'shop'), errors: window.T.errors };
  });
  assert.deepEqual(out.stored, ['item-1', 'item-2']);
  assert.equal(out.after, null, 'forget deleted the record');
  assert.equal(out.held.length, 3, 'two saves and one deletion');
  for (const names of out.held) assert.deepEqual(names, ['attune:shop:alice']);
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('a save waits while another tab holds the profile\'s Web Lock, and lands once it is released', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await b.evaluate(() => new Promise((held) => {
    navigator.locks.request('attune:attune:default', () => {
      held();
      return new Promise((release) => { window.release = release; });
    });
  }));
  await a.evaluate(() => {
    window.saved = (async () => {
      await window.T.engine.track({ item: 'item-1', type: 'click' });
      await window.T.engine.flush();
    })();
  });
  const whileHeld = await b.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    /* tab A's save is queued behind this tab's lock */
    const queued = await tools.until(async () => (await navigator.locks.query()).pending.some((l) => l.name === 'attune:attune:default'));
    return { queued, stored: await tools.storedItems() };
  });
  assert.deepEqual(whileHeld, { queued: true, stored: null }, 'nothing is written while another tab holds the lock');
  await b.evaluate(() => window.release());
  const out = await a.evaluate(async () => {
    await window.saved;
    const tools = await import('/tests/browser/pages/idb-tools.js');
    return { stored: await tools.storedItems(), errors: window.T.errors };
  });
  assert.deepEqual(out, { stored: ['item-1'], errors: [] });
  await context.close();
});

/** In page `p`: counts navigator.storage.persist() calls while an engine stores a profile. */
function persistCalls(p, options) {
  return p.evaluate(async (options) => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    let calls = 0;
    const persist = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => { calls++; return persist(); };
    await window.T.create({ saveDelayMs: 0, ...options });
    await window.T.engine.track({ item: 'item-1', type: 'click' });
    await window.T.engine.flush();
    return { calls, stored: await tools.storedItems(), errors: window.T.errors };
  }, options);
}

test('persist: true asks the browser to keep the database (navigator.storage.persist)', async () => {
  const context = await env.browser.newContext();
  const out = await persistCalls(await env.ready(context), { persist: true });
  assert.equal(out.calls, 1, 'asked once, when the database opened');
  assert.deepEqual(out.stored, ['item-1']);
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('by default the engine never calls navigator.storage.persist', async () => {
  const context = await env.browser.newContext();
  const out = await persistCalls(await env.ready(context), {});
  assert.equal(out.calls, 0);
  assert.deepEqual(out.stored, ['item-1']);
  assert.deepEqual(out.errors, []);
  await context.close();
});
