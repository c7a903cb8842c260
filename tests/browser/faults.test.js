// Faults IndexedDB really has: damaged, truncated and newer stored snapshots, a quota error in
// the middle of a session, a schema upgrade blocked by another tab, five tabs writing at once —
// and nothing ever leaking into localStorage, sessionStorage or cookies.  Each test runs in a
// fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());

const ESM = '/tests/browser/pages/esm.html';
const SCRIPT = '/tests/browser/pages/script.html';

async function ready(context, path = ESM) {
  const p = await env.ready(context, path);
  await p.evaluate(installTools);
  return p;
}

/**
 * Runs in the page: raw IndexedDB access (window.FT) for planting and reading records the way
 * a damaged disk or another version would leave them, and a bounded wait.
 */
function installTools() {
  const req = (r) => new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const openDb = (name) => req(indexedDB.open(name));
  const withStore = async (store, mode, fn, name = 'attune') => {
    const db = await openDb(name);
    try {
      if (!db.objectStoreNames.contains(store)) return null;
      const tx = db.transaction(store, mode);
      const out = await req(fn(tx.objectStore(store)));
      await new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error);
        tx.onabort = () => fail(tx.error);
      });
      return out;
    } finally {
      db.close();
    }
  };
  const CRC = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  window.FT = {
    /** Every record of a store, with byte fields as plain arrays. */
    async all(store, name) {
      const rows = (await withStore(store, 'readonly', (s) => s.getAll(), name)) ?? [];
      return rows.map((r) => ({ ...r, bytes: r.bytes ? Array.from(r.bytes) : null }));
    },
    /** Puts a record into a store (bytes given as an array). */
    put(store, record) {
      return withStore(store, 'readwrite', (s) => s.put({ ...record, bytes: Uint8Array.from(record.bytes) }));
    },
    storeNames: async (name = 'attune') => {
      const db = await openDb(name);
      const names = [...db.objectStoreNames].sort();
      const version = db.version;
      db.close();
      return { names, version };
    },
    crc32(bytes) {
      let c = 0xffffffff;
      for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
      return (c ^ 0xffffffff) >>> 0;
    },
    /** Resolves true once pred() holds, false if it does not within `ms`. */
    async until(pred, ms = 10000) {
      const end = performance.now() + ms;
      while (!pred()) {
        if (performance.now() > end) return false;
        await new Promise((r) => setTimeout(r, 10));
      }
      return true;
    },
    /** Decodes snapshot bytes with the engine over `n` catalog items (T.decode has 60). */
    async decode(bytes, n = 60) {
      const { createEngine, MemoryStorage } = await import('/js/index.js');
      const { catalog } = await import('/tests/browser/pages/catalog.js');
      const storage = new MemoryStorage();
      await storage.save('x', Uint8Array.from(bytes));
      const e = await createEngine({ catalog: catalog(n), storage, profileId: 'x' });
      const out = await e.export();
      e.close();
      return out;
    },
  };
}

/**
 * Stores a real profile (three tracked items) through an engine in a page of `context`, closes
 * that engine, and returns the stored record ({ id, rev, bytes, savedAt }).
 */
async function storedProfile(context) {
  const p = await ready(context);
  const record = await p.evaluate(async () => {
    await window.T.create({ saveDelayMs: 0 });
    for (const id of ['item-1', 'item-2', 'item-3']) await window.T.engine.track({ item: id, type: 'click' });
    await window.T.engine.flush();
    window.T.engine.close();
    await window.T.engine.flush();
    return (await window.FT.all('profiles'))[0];
  });
  assert.equal(record.id, 'default');
  assert.deepEqual(p.errors, []);
  await p.close();
  return record;
}

/**
 * Plants `bytes` as the stored profile, opens an engine on it in a new page and returns what
 * it saw: error codes, its history, and the stores afterwards.
 */
async function openOnDamaged(context, record, bytes) {
  const p = await ready(context);
  await p.evaluate((r) => window.FT.put('profiles', r), { ...record, bytes });
  const out = await p.evaluate(async () => {
    await window.T.create({ saveDelayMs: 0 });
    await window.FT.until(() => window.T.errors.length > 0);
    const history = (await window.T.engine.export()).history.length;
    return {
      errors: window.T.errors.map((e) => e.code),
      history,
      quarantine: await window.FT.all('quarantine'),
      profiles: await window.FT.all('profiles'),
    };
  });
  return { p, ...out };
}

/** The engine in page `p` works: it tracks, ranks and saves a fresh profile. */
async function worksAndSavesFresh(p) {
  const out = await p.evaluate(async () => {
    await window.T.engine.track({ item: 'item-9', type: 'like' });
    const n = window.T.engine.recommend({ k: 5 }).length;
    await window.T.engine.flush();
    const [rec] = await window.FT.all('profiles');
    return { n, items: rec ? (await window.FT.decode(rec.bytes)).history.map((h) => h.item) : null };
  });
  assert.equal(out.n, 5);
  assert.deepEqual(out.items, ['item-9'], 'the fresh profile is saved in place of the damaged one');
}

test('a stored snapshot with a bad CRC is quarantined: the engine starts fresh and reports corrupt_profile', async () => {
  const context = await env.browser.newContext();
  const record = await storedProfile(context);
  const bad = record.bytes.slice();
  bad[bad.length - 3] ^= 0x5a; /* a payload byte: the CRC-32 at offset 12 no longer matches */
  const out = await openOnDamaged(context, record, bad);
  assert.deepEqual(out.errors, ['corrupt_profile']);
  assert.equal(out.history, 0, 'the engine started fresh');
  assert.equal(out.quarantine.length, 1, 'the damaged bytes were set aside');
  assert.deepEqual(out.quarantine[0].bytes, bad, 'the quarantine holds exactly the damaged bytes');
  assert.equal(out.quarantine[0].profileId, 'default');
  assert.deepEqual(out.profiles, [], 'the damaged record left the profiles store');
  await worksAndSavesFresh(out.p);
  assert.equal((await out.p.evaluate(() => window.FT.all('quarantine'))).length, 1, 'saving did not drop the quarantined copy');
  await context.close();
});

test('a truncated stored snapshot is quarantined: the engine starts fresh and reports corrupt_profile', async () => {
  const context = await env.browser.newContext();
  const record = await storedProfile(context);
  const cut = record.bytes.slice(0, Math.floor(record.bytes.length / 2));
  const out = await openOnDamaged(context, record, cut);
  assert.deepEqual(out.errors, ['corrupt_profile']);
  assert.equal(out.history, 0);
  assert.equal(out.quarantine.length, 1);
  assert.deepEqual(out.quarantine[0].bytes, cut, 'the quarantine holds exactly the truncated bytes');
  assert.deepEqual(out.profiles, []);
  await worksAndSavesFresh(out.p);
  await context.close();
});

test('a snapshot from a newer format version is refused, the engine works in memory and never overwrites it', async () => {
  const context = await env.browser.newContext();
  const record = await storedProfile(context);
  const p = await ready(context);
  const newer = await p.evaluate((bytes) => {
    const b = Uint8Array.from(bytes);
    const v = new DataView(b.buffer);
    v.setUint16(4, 99, true);
    v.setUint32(12, window.FT.crc32(b.subarray(16)), true);
    return Array.from(b);
  }, record.bytes);
  await p.evaluate((r) => window.FT.put('profiles', r), { ...record, bytes: newer });
  const out = await p.evaluate(async () => {
    await window.T.create({ saveDelayMs: 0 });
    await window.FT.until(() => window.T.errors.length > 0);
    const e = window.T.engine;
    for (const id of ['item-20', 'item-21', 'item-22']) await e.track({ item: id, type: 'click' });
    await e.setPrivacyLevel('individual');
    await e.block({ tag: 'ai' });
    const list = e.recommend({ k: 5 });
    await e.flush();
    return {
      errors: window.T.errors.map((x) => x.code),
      inMemory: (await e.export()).history.map((h) => h.item).sort(),
      n: list.length,
      profiles: await window.FT.all('profiles'),
      quarantine: await window.FT.all('quarantine'),
    };
  });
  assert.deepEqual(out.errors, ['newer_version']);
  assert.deepEqual(out.inMemory, ['item-20', 'item-21', 'item-22'], 'the engine works in memory');
  assert.equal(out.n, 5);
  assert.equal(out.profiles.length, 1);
  assert.deepEqual(out.profiles[0].bytes, newer, 'the newer bytes were overwritten');
  assert.equal(out.profiles[0].rev, record.rev);
  assert.deepEqual(out.quarantine, [], 'newer data is not damaged data');
  /* closing the engine and leaving the page (a pagehide save) write nothing either */
  await p.evaluate(async () => {
    window.T.engine.close();
    await window.T.engine.flush();
  });
  await p.goto(env.url(SCRIPT));
  const q = await ready(context);
  const after = await q.evaluate(async () => ({ profiles: await window.FT.all('profiles'), pending: await window.FT.all('pending') }));
  assert.deepEqual(after.profiles.map((r) => r.bytes), [newer]);
  assert.deepEqual(after.pending, []);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('a quota error on the second write keeps the profile in memory, reports quota_exceeded, and a later flush stores every event', async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    /* the second put into 'profiles' in each page throws, as a full disk would; the others work */
    const put = IDBObjectStore.prototype.put;
    window.__puts = 0;
    IDBObjectStore.prototype.put = function (...args) {
      if (this.name === 'profiles' && ++window.__puts === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  const p = await ready(context);
  const out = await p.evaluate(async () => {
    const T = window.T;
    const stored = async () => {
      const [rec] = await window.FT.all('profiles');
      return rec ? (await window.FT.decode(rec.bytes)).history.map((h) => h.item).sort() : null;
    };
    await T.create({ saveDelayMs: 0 });
    await T.engine.track({ item: 'item-1', type: 'click' });
    await T.engine.flush(); /* put 1: stored */
    const first = await stored();
    await T.engine.track({ item: 'item-2', type: 'click' });
    const flushed = await T.engine.flush().then(() => 'resolved', (e) => `rejected: ${e.code}`); /* put 2: quota */
    await window.FT.until(() => T.errors.length > 0);
    const afterFailure = {
      errors: T.errors.map((e) => e.code),
      memory: (await T.engine.export()).history.map((h) => h.item).sort(),
      stored: await stored(),
    };
    await T.engine.track({ item: 'item-3', type: 'click' });
    await T.engine.flush(); /* put 3: the retry carries everything */
    return { first, flushed, afterFailure, final: await stored(), puts: window.__puts, errors: T.errors.map((e) => e.code) };
  });
  assert.deepEqual(out.first, ['item-1']);
  assert.equal(out.flushed, 'resolved', 'a storage failure never throws into the page');
  assert.deepEqual(out.afterFailure.errors, ['quota_exceeded']);
  assert.deepEqual(out.afterFailure.memory, ['item-1', 'item-2'], 'the profile stays in memory');
  assert.deepEqual(out.afterFailure.stored, ['item-1'], 'the failed write left the stored copy as it was');
  assert.deepEqual(out.final, ['item-1', 'item-2', 'item-3'], 'the later flush stored every event');
  assert.ok(out.puts >= 3);
  assert.deepEqual(out.errors, ['quota_exceeded'], 'no further errors once writing works again');
  await context.close();
});

/**
 * Opens 'attune' at version 1 (the adapter's first schema) and keeps it open, deaf to
 * versionchange.  `record`, if given, is stored in its profiles store first.
 */
async function holdVersion1(context, record = null) {
  const old = await ready(context);
  const version = await old.evaluate((rec) => new Promise((ok, fail) => {
    const req = indexedDB.open('attune', 1);
    req.onupgradeneeded = () => {
      const profiles = req.result.createObjectStore('profiles', { keyPath: 'id' });
      req.result.createObjectStore('quarantine', { autoIncrement: true });
      if (rec) profiles.put({ ...rec, bytes: Uint8Array.from(rec.bytes) });
    };
    req.onsuccess = () => {
      window.oldDb = req.result; /* no onversionchange handler: it never closes by itself */
      window.versionChanges = 0;
      req.result.addEventListener('versionchange', () => { window.versionChanges++; });
      ok(req.result.version);
    };
    req.onerror = () => fail(req.error);
  }), record);
  assert.equal(version, 1);
  return old;
}

/**
 * In page `p`: starts an engine (bounded wait, so a hang is reported instead of stalling the
 * suite), tracks `item` and flushes.  Returns how createEngine ended and the error codes.
 */
function startWhileBlocked(p, item) {
  return p.evaluate(async (id) => {
    const created = window.T.create({ saveDelayMs: 0 }).then(() => 'resolved', (e) => `rejected: ${e.code}`);
    const outcome = await Promise.race([created, new Promise((r) => setTimeout(() => r('still pending after 10 s'), 10000))]);
    let works = null;
    if (outcome === 'resolved') {
      await window.T.engine.track({ item: id, type: 'click' });
      works = window.T.engine.recommend({ k: 3 }).length;
      await window.T.engine.flush(); /* resolves: the failure goes to 'error' */
      await window.T.engine.flush(); /* a second failed write is not reported again */
    }
    await window.FT.until(() => window.T.errors.length > 0, 2000);
    return { outcome, works, errors: window.T.errors.map((e) => e.code) };
  }, item);
}

test('a schema upgrade blocked by another tab: createEngine resolves in memory, in this tab and in one queued behind it', async () => {
  const context = await env.browser.newContext();
  const old = await holdVersion1(context);
  /* this tab's open is blocked (the 'blocked' event) */
  const first = await startWhileBlocked(await ready(context), 'item-4');
  /* this one's open waits behind the first tab's, and IndexedDB tells it nothing at all */
  const second = await startWhileBlocked(await ready(context), 'item-5');
  const versionChanges = await old.evaluate(() => window.versionChanges);
  await old.evaluate(() => window.oldDb.close()); /* so the context closes cleanly */
  assert.ok(versionChanges >= 1, 'the old tab was asked to close (versionchange)');
  for (const out of [first, second]) {
    assert.equal(out.outcome, 'resolved', 'createEngine must resolve (working in memory) while another tab blocks the upgrade');
    assert.equal(out.works, 3);
    assert.deepEqual(out.errors, ['storage_blocked'], 'one storage_blocked event, however many writes fail');
  }
  await context.close();
});

test('once the old tab lets go, engines that started blocked merge the stored profile into their first write', async () => {
  const seed = await env.browser.newContext();
  const record = await storedProfile(seed); /* item-1, item-2, item-3 */
  await seed.close();
  const context = await env.browser.newContext();
  const old = await holdVersion1(context, record);
  const pa = await ready(context);
  const pb = await ready(context);
  assert.equal((await startWhileBlocked(pa, 'item-4')).outcome, 'resolved');
  assert.equal((await startWhileBlocked(pb, 'item-5')).outcome, 'resolved');
  await old.evaluate(() => window.oldDb.close());
  const storedAfter = async (p, item) => p.evaluate(async (id) => {
    /* the blocked open finishes in the background once the old connection closes */
    await window.T.engine.track({ item: id, type: 'click' });
    await window.T.engine.flush();
    const [rec] = await window.FT.all('profiles');
    return {
      errors: window.T.errors.map((e) => e.code),
      stored: rec ? (await window.FT.decode(rec.bytes)).history.map((h) => h.item).sort() : null,
    };
  }, item);
  const a = await storedAfter(pa, 'item-6');
  assert.deepEqual(a.stored, ['item-1', 'item-2', 'item-3', 'item-4', 'item-6'], 'the stored profile and this tab\'s events');
  assert.deepEqual(a.errors, ['storage_blocked'], 'no further errors once writing works');
  const b = await storedAfter(pb, 'item-7');
  assert.deepEqual(b.stored, ['item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6', 'item-7'], 'both tabs\' events');
  const later = await ready(context);
  const out = await later.evaluate(async () => {
    await window.T.create({ saveDelayMs: 0 });
    return {
      errors: window.T.errors.map((e) => e.code),
      schema: await window.FT.storeNames(),
      history: (await window.T.engine.export()).history.length,
    };
  });
  assert.deepEqual(out, { errors: [], schema: { names: ['pending', 'profiles', 'quarantine'], version: 2 }, history: 7 });
  await context.close();
});

test('five tabs tracking at once: a sixth page loads all 100 events and IndexedDB holds one record', async () => {
  const context = await env.browser.newContext();
  const tabs = [];
  for (let t = 0; t < 5; t++) tabs.push(await ready(context));
  await Promise.all(tabs.map((p, t) => p.evaluate(async (t) => {
    const { catalog } = await import('/tests/browser/pages/catalog.js');
    await window.T.create({ catalog: catalog(100), saveDelayMs: [0, 5, 12, 25, 50][t] });
  }, t)));
  await Promise.all(tabs.map((p, t) => p.evaluate(async (t) => {
    for (let i = 0; i < 20; i++) {
      await window.T.engine.track({ item: `item-${t * 20 + i}`, type: 'view' });
      await new Promise((r) => setTimeout(r, Math.random() * 10));
    }
    await window.T.engine.flush();
  }, t)));
  for (const p of tabs) await p.evaluate(() => window.T.engine.flush());
  const sixth = await ready(context);
  const out = await sixth.evaluate(async () => {
    const { catalog } = await import('/tests/browser/pages/catalog.js');
    await window.T.create({ catalog: catalog(100) });
    const records = await window.FT.all('profiles');
    return {
      loaded: (await window.T.engine.export()).history.map((h) => h.item),
      records: records.map((r) => r.id),
      stored: records.length ? (await window.FT.decode(records[0].bytes, 100)).history.length : null,
      pending: (await window.FT.all('pending')).length,
    };
  });
  const expected = Array.from({ length: 100 }, (_, i) => `item-${i}`);
  assert.equal(out.loaded.length, 100);
  assert.deepEqual([...out.loaded].sort(), [...expected].sort(), 'every tab\'s events are in the loaded profile');
  assert.deepEqual(out.records, ['default'], 'one record');
  assert.equal(out.stored, 100);
  assert.equal(out.pending, 0);
  for (const p of tabs) assert.deepEqual(await p.evaluate(() => window.T.errors), []);
  await context.close();
});

/**
 * Runs in the page: the whole API at `level`, then through every level, then forget.  Returns
 * what the page's own storage and cookies hold afterwards, and any engine errors.
 */
async function workout(level) {
  const T = window.T;
  const ctx = { device: 'mobile', referrer: 'email', daypart: 'evening', campaign: 'spring' };
  await T.create({
    dbName: `workout-${level}`,
    saveDelayMs: 0,
    config: {
      privacyLevel: level,
      traits: { plan: ['free', 'pro'] },
      segments: [{ label: 'pro', when: { plan: ['pro'] }, boost: { tags: { ai: 0.5 } } }],
      context: { keys: ['campaign'], rules: [{ when: { device: ['mobile'] }, boost: { tags: { web: 0.2 } } }] },
      label: { epsilon: 1 },
      sensitiveTags: ['sleep'],
    },
  });
  const e = T.engine;
  const use = async (round) => {
    await e.setTraits({ plan: 'pro' });
    for (let i = 0; i < 8; i++) await e.track({ item: `item-${(i * 7 + round) % 60}`, type: i % 3 ? 'click' : 'like' }, ctx);
    await e.track({ item: 'item-6', type: 'dismiss' }, ctx);
    await e.track({ item: 'item-7', type: 'purchase', value: 2 }, ctx);
    const list = e.recommend({ k: 10, context: ctx });
    await e.shown(list.slice(0, 3), ctx);
    e.recommend({ k: 5, filter: { tags: ['ai', 'web'] }, exclude: ['item-1'] });
    e.explain('item-2', ctx);
    e.segment();
    e.serverPayload();
    e.inventory();
    e.metrics();
    e.privacyReport();
    await e.block({ tag: 'space' });
    await e.block({ item: 'item-9' });
    await e.unblock({ tag: 'space' });
    await e.flush();
  };
  await use(0);
  await e.import(JSON.stringify(await e.export()));
  for (const [round, l] of ['individual', 'contextual', 'behavioral', 'segment', 'none', 'individual'].entries()) {
    await e.setPrivacyLevel(l);
    await use(round + 1);
  }
  await e.forget();
  await e.flush();
  e.close();
  await e.flush();
  return {
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    cookie: document.cookie,
    errors: T.errors.map((x) => `${x.code}: ${x.message}`),
  };
}

const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];

for (const [name, path] of [['ES module', ESM], ['<script>', SCRIPT]]) {
  test(`the ${name} page: no level writes localStorage, sessionStorage or cookies`, async () => {
    const context = await env.browser.newContext();
    const p = await ready(context, path);
    const empty = { localStorage: 0, sessionStorage: 0, cookie: '', errors: [] };
    assert.deepEqual(await p.evaluate(() => ({ localStorage: localStorage.length, sessionStorage: sessionStorage.length,
      cookie: document.cookie, errors: [] })), empty, 'the page starts clean');
    for (const level of LEVELS) {
      assert.deepEqual(await p.evaluate(workout, level), empty, `after a workout at level ${level}`);
    }
    /* a page that goes away mid-debounce saves on pagehide: that must not use them either */
    await p.evaluate(async () => {
      await window.T.create({ saveDelayMs: 60000 });
      await window.T.engine.track({ item: 'item-3', type: 'like' });
    });
    await p.reload();
    await p.waitForSelector('body[data-ready=yes]');
    assert.deepEqual(await p.evaluate(() => ({ localStorage: localStorage.length, sessionStorage: sessionStorage.length,
      cookie: document.cookie, errors: [] })), empty, 'after a pagehide save and a reload');
    assert.deepEqual(await context.cookies(), [], 'the browser holds no cookies for the site');
    assert.deepEqual(p.errors, []);
    await context.close();
  });
}
