// Level none stores nothing, so it never writes: on a database that other profiles use, an
// engine at level none opens no readwrite transaction however often it is told to delete
// (forget, setPrivacyLevel('none'), import); and it never creates the database, even in a
// browser without indexedDB.databases(), where only opening the database can tell whether it
// exists.  Each test runs in a fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());


/** In page `p`: stores a profile `profileId` holding `item` through an engine, then closes it. */
async function storeProfile(p, profileId, item) {
  await p.evaluate(async ({ profileId, item }) => {
    await window.T.create({ profileId, saveDelayMs: 0 });
    await window.T.engine.track({ item, type: 'click' });
    await window.T.engine.flush();
    window.T.engine.close();
    await window.T.engine.flush();
  }, { profileId, item });
}

test('at level none, forget, setPrivacyLevel("none") and import open no readwrite transaction on a database other profiles use', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await storeProfile(p, 'other', 'item-3');
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const before = (await tools.all('profiles')).map((r) => ({ id: r.id, rev: r.rev }));
    const log = tools.recordTransactions();
    await window.T.create({ config: { privacyLevel: 'none' }, saveDelayMs: 0 });
    const e = window.T.engine;
    const exported = await e.export();
    for (let round = 0; round < 3; round++) {
      await e.forget();
      await e.setPrivacyLevel('none');
      await e.import(exported);
      await e.import(JSON.stringify(exported));
    }
    await e.track({ item: 'item-1', type: 'click' });
    await e.flush();
    const writes = log.filter((t) => t.mode !== 'readonly');
    const reads = log.length - writes.length;
    return {
      writes,
      reads,
      before,
      after: (await tools.all('profiles')).map((r) => ({ id: r.id, rev: r.rev })),
      pending: (await tools.all('pending')).length,
      errors: window.T.errors,
    };
  });
  assert.deepEqual(out.writes, [], 'no readwrite (or versionchange) transaction was opened');
  assert.ok(out.reads > 0, 'the engine did read the existing database (so the recorder saw its transactions)');
  assert.deepEqual(out.after, out.before, 'the other profile is untouched and nothing was stored for this one');
  assert.equal(out.pending, 0);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('dropping to level none deletes what the profile stored in one readwrite transaction; later deletions open none', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await storeProfile(p, 'other', 'item-3');
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 0 });
    const e = window.T.engine;
    await e.track({ item: 'item-1', type: 'click' });
    await e.flush();
    const stored = await tools.storedItems();
    const log = tools.recordTransactions();
    await e.setPrivacyLevel('none');
    const deletion = log.filter((t) => t.mode === 'readwrite').map((t) => t.stores);
    const afterDrop = await tools.storedItems();
    log.length = 0;
    await e.forget();
    await e.setPrivacyLevel('none');
    await e.import(await e.export());
    return {
      stored,
      deletion,
      afterDrop,
      laterWrites: log.filter((t) => t.mode === 'readwrite').length,
      profiles: (await tools.all('profiles')).map((r) => r.id),
      errors: window.T.errors,
    };
  });
  assert.deepEqual(out.stored, ['item-1']);
  assert.deepEqual(out.deletion, ['profiles,pending'], 'the deletion was one readwrite transaction');
  assert.equal(out.afterDrop, null, 'the record is gone from IndexedDB');
  assert.equal(out.laterWrites, 0, 'with nothing left to delete, no readwrite transaction');
  assert.deepEqual(out.profiles, ['other']);
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('forget at level none still deletes a profile another tab stored unannounced after this engine started', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ config: { privacyLevel: 'none' }, saveDelayMs: 0 }));
  await b.evaluate(() => { delete window.BroadcastChannel; }); /* no note reaches tab A */
  await storeProfile(b, 'default', 'item-5');
  const out = await a.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    const before = await tools.storedItems();
    await window.T.engine.forget();
    return { before, after: await tools.storedItems(), errors: window.T.errors };
  });
  assert.deepEqual(out.before, ['item-5']);
  assert.equal(out.after, null, 'forget deleted the record it had not seen at start-up');
  assert.deepEqual(out.errors, []);
  await context.close();
});

test('without indexedDB.databases(), a level-none engine creates no database', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    delete IDBFactory.prototype.databases; /* as in browsers that lack it */
    await window.T.create({ config: { privacyLevel: 'none' }, saveDelayMs: 0 });
    const e = window.T.engine;
    await e.setTraits({});
    await e.track({ item: 'item-1', type: 'click' });
    e.recommend();
    await e.forget();
    await e.setPrivacyLevel('none');
    await e.import(await e.export());
    await e.flush();
    e.close();
    await e.flush();
    return { databases: typeof indexedDB.databases, errors: window.T.errors };
  });
  assert.equal(out.databases, 'undefined', 'the engine ran without indexedDB.databases()');
  assert.deepEqual(out.errors, []);
  const q = await env.ready(context); /* a page that has databases() looks */
  assert.deepEqual(await q.evaluate(() => indexedDB.databases().then((l) => l.map((d) => d.name))), []);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('without indexedDB.databases(), a level that stores things creates the database and a reload loads the profile', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const run = (item) => p.evaluate(async (item) => {
    delete IDBFactory.prototype.databases;
    await window.T.create({ saveDelayMs: 0 });
    const loaded = (await window.T.engine.export()).history.map((h) => h.item);
    await window.T.engine.track({ item, type: 'click' });
    await window.T.engine.flush();
    return { loaded, errors: window.T.errors };
  }, item);
  assert.deepEqual(await run('item-1'), { loaded: [], errors: [] });
  await p.reload();
  await p.waitForSelector('body[data-ready=yes]');
  assert.deepEqual(await run('item-2'), { loaded: ['item-1'], errors: [] });
  const q = await env.ready(context); /* a page that has databases() looks */
  const stored = await q.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    return { names: await tools.databaseNames(), items: await tools.storedItems() };
  });
  assert.deepEqual(stored, { names: ['attune'], items: ['item-1', 'item-2'] });
  assert.deepEqual(p.errors, []);
  await context.close();
});
