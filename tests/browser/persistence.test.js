// IndexedDB as the profile's home: it survives reloads, two tabs lose nothing, downgrades and
// forget delete from IndexedDB itself, level none never writes, and failing storage falls back
// to memory with an 'error' event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());


/** The history length stored in IndexedDB for the default profile (null: no record). */
async function storedHistory(p) {
  return p.evaluate(async () => {
    const records = await window.T.readIDB();
    const rec = records.find((r) => r.id === 'default');
    if (!rec) return null;
    return (await window.T.decode(rec.bytes)).history.length;
  });
}

test('a profile survives a reload', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await p.evaluate(async () => {
    await window.T.create();
    for (const id of ['item-1', 'item-2', 'item-3']) await window.T.engine.track({ item: id, type: 'click' });
    await window.T.engine.flush();
  });
  await p.reload();
  await p.waitForSelector('body[data-ready=yes]');
  const history = await p.evaluate(async () => {
    await window.T.create();
    return (await window.T.engine.export()).history.map((h) => h.item);
  });
  assert.deepEqual(history.sort(), ['item-1', 'item-2', 'item-3']);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('two tabs tracking at the same time end with every event', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await Promise.all([a, b].map((p) => p.evaluate(() => window.T.create({ saveDelayMs: 5 }))));
  await Promise.all([a, b].map((p, tab) => p.evaluate(async (tab) => {
    for (let i = 0; i < 20; i++) {
      await window.T.engine.track({ item: `item-${tab * 20 + i}`, type: 'view' });
      await new Promise((r) => setTimeout(r, Math.random() * 8));
    }
    await window.T.engine.flush();
  }, tab)));
  await a.evaluate(() => window.T.engine.flush());
  await b.evaluate(() => window.T.engine.flush());
  const c = await env.ready(context);
  const items = await c.evaluate(async () => {
    await window.T.create();
    return (await window.T.engine.export()).history.map((h) => h.item);
  });
  assert.equal(new Set(items).size, 40);
  assert.equal(await storedHistory(c), 40);
  await context.close();
});

test('an unblock in one tab is not undone by the other tab', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await a.evaluate(async () => { await window.T.engine.block({ tag: 'ai' }); await window.T.engine.flush(); });
  await b.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await b.evaluate(async () => { await window.T.engine.unblock({ tag: 'ai' }); await window.T.engine.flush(); });
  await a.evaluate(async () => { await window.T.engine.track({ item: 'item-9', type: 'view' }); await window.T.engine.flush(); });
  const blocked = await a.evaluate(async () => (await window.T.engine.export()).blocked.tags.length);
  assert.equal(blocked, 0);
  await context.close();
});

test('downgrading to segment deletes the history from IndexedDB at once', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await p.evaluate(async () => {
    await window.T.create();
    await window.T.engine.track({ item: 'item-4', type: 'click' });
    await window.T.engine.flush();
  });
  assert.equal(await storedHistory(p), 1);
  await p.evaluate(() => window.T.engine.setPrivacyLevel('segment'));
  assert.equal(await storedHistory(p), 0);
  await context.close();
});

test('forget leaves nothing in IndexedDB', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await p.evaluate(async () => {
    await window.T.create();
    await window.T.engine.track({ item: 'item-4', type: 'click' });
    await window.T.engine.flush();
    await window.T.engine.forget();
  });
  assert.deepEqual(await p.evaluate(() => window.T.readIDB()), []);
  await context.close();
});

test('level none never creates or writes the database', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  const names = await p.evaluate(async () => {
    await window.T.create({ config: { privacyLevel: 'none' } });
    await window.T.engine.setTraits({});
    await window.T.engine.track({ item: 'item-1', type: 'click' });
    window.T.engine.recommend();
    await window.T.engine.flush();
    return (await indexedDB.databases()).map((d) => d.name);
  });
  assert.deepEqual(names, []);
  await context.close();
});

test('without IndexedDB the engine works in memory and reports an error', async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('blocked', 'SecurityError'); } });
  });
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    await window.T.create();
    await window.T.engine.track({ item: 'item-2', type: 'click' });
    await window.T.engine.flush();
    await new Promise((r) => setTimeout(r, 10));
    return { errors: window.T.errors.map((e) => e.code), n: window.T.engine.recommend({ k: 4 }).length };
  });
  assert.deepEqual(out, { errors: ['storage_failed'], n: 4 });
  await context.close();
});

test('a quota error keeps the profile in memory and reports quota_exceeded', async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    IDBObjectStore.prototype.put = function () { throw new DOMException('full', 'QuotaExceededError'); };
  });
  const p = await env.ready(context);
  const out = await p.evaluate(async () => {
    await window.T.create();
    await window.T.engine.track({ item: 'item-2', type: 'click' });
    const flushed = await window.T.engine.flush().then(() => 'resolved', (e) => e.code);
    return { flushed, errors: window.T.errors.map((e) => e.code), history: (await window.T.engine.export()).history.length };
  });
  assert.equal(out.flushed, 'resolved', 'a storage failure never throws into the page');
  assert.ok(out.errors.includes('quota_exceeded'));
  assert.equal(out.history, 1);
  await context.close();
});

/* Leaves `p` by following a link, as a visitor leaves a page: the navigation tells the engine
   before the page is torn down (a pagehide alone comes too late for Chromium to commit even a
   blind write reliably, about one time in six on a first visit here). */
async function followLink(p) {
  await Promise.all([p.waitForURL(/\?away$/), p.click('#away')]);
}

test('following a link saves what the debounce still held', async () => {
  const context = await env.browser.newContext();
  const p = await env.ready(context);
  await p.evaluate(async () => {
    await window.T.create({ saveDelayMs: 60000 });
    await window.T.engine.track({ item: 'item-7', type: 'like' });
  });
  await followLink(p); /* the navigation starts: the snapshot is stashed */
  const q = await env.ready(context);
  const history = await q.evaluate(async () => {
    await window.T.create();
    return (await window.T.engine.export()).history.map((h) => h.item);
  });
  assert.deepEqual(history, ['item-7']);
  await context.close();
});

test('a tab closed mid-debounce keeps its events while another tab goes on saving', async () => {
  const context = await env.browser.newContext();
  const [a, b] = [await env.ready(context), await env.ready(context)];
  await a.evaluate(() => window.T.create({ saveDelayMs: 60000 }));
  await b.evaluate(() => window.T.create({ saveDelayMs: 0 }));
  await a.evaluate(() => window.T.engine.track({ item: 'item-7', type: 'like' }));
  await followLink(a); /* A leaves: its snapshot is stashed */
  await b.evaluate(async () => {
    await window.T.engine.track({ item: 'item-8', type: 'like' });
    await window.T.engine.flush(); /* B's write merges A's stash in and deletes it */
  });
  const c = await env.ready(context);
  const out = await c.evaluate(async () => {
    await window.T.create();
    const pending = await new Promise((ok) => {
      const req = indexedDB.open('attune');
      req.onsuccess = () => {
        const all = req.result.transaction('pending').objectStore('pending').getAll();
        all.onsuccess = () => { req.result.close(); ok(all.result.length); };
      };
    });
    return { items: (await window.T.engine.export()).history.map((h) => h.item).sort(), pending };
  });
  assert.deepEqual(out, { items: ['item-7', 'item-8'], pending: 0 });
  await context.close();
});
