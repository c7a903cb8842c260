/**
 * The IndexedDB storage adapter (the default in browsers).  One record per profile in the
 * `profiles` store: { id, rev, bytes, savedAt }.  Each write is one transaction with nothing
 * awaited inside it, relaxed durability, and resolves on `complete`.  Writes of a profile run
 * under a Web Lock, and after each commit a BroadcastChannel note tells other tabs to merge.
 * Deleting what is not there writes nothing, and reading never creates the database: level
 * none opens no readwrite transaction.
 * Damaged snapshots are kept aside in `quarantine`.  Schema upgrades are numbered steps.
 */
import { AttuneError } from '../errors.js';
import { newRevision } from './revision.js';

const SCHEMA_VERSION = 2;
/* how long an open may wait before the engine goes on in memory (see #open) */
const OPEN_WAIT_MS = 2000;

/** Numbered schema steps: each case upgrades from the version before it (fall through). */
function upgrade(db, oldVersion) {
  switch (oldVersion) {
    case 0:
      db.createObjectStore('profiles', { keyPath: 'id' });
      db.createObjectStore('quarantine', { autoIncrement: true });
    // falls through
    case 1:
      /* snapshots a tab wrote as it was closed, with the base they were made from; the next
         load or save of the profile merges them in and deletes them */
      db.createObjectStore('pending', { keyPath: 'key' }).createIndex('profileId', 'profileId');
    // falls through: later versions add their steps here
    default:
  }
}

/**
 * Pending snapshots as { key, base, bytes } for a stored profile at revision `rev`.  A stash
 * made while this tab's own save was still in flight names that save (`after`): if it
 * committed (the stored revision is its), the stash's changes are counted from what it wrote,
 * else from the older base — so neither outcome applies a change twice or loses one.
 */
function pendingOf(records, rev) {
  return records.map((r) => {
    const base = r.after && r.after.rev === rev ? r.after.bytes : r.base;
    return { key: r.key, base: base ? new Uint8Array(base) : null, bytes: new Uint8Array(r.bytes) };
  });
}

/** The `pending` key of the snapshot `writer` (an engine) stashed for `profileId`. */
function stashKey(profileId, writer) {
  return `${profileId}\u0000${writer}`;
}

function request(req) {
  return new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

function done(tx) {
  return new Promise((ok, fail) => {
    tx.oncomplete = () => ok();
    tx.onerror = () => fail(tx.error);
    tx.onabort = () => fail(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

export class IndexedDBStorage {
  #name;
  #idb;
  #db = null;
  #opening = null; /* { create, promise } of the open under way */
  #held = new Set(); /* profiles last seen with a record or pending snapshots (a hint, see #transact) */
  #channel = null;
  #watchers = new Map();
  #onError;
  #persist;
  #blocked = false; /* an open request is waiting for other tabs to close an older version */
  #unblocked = null; /* while blocked: settles when that request finally succeeds or fails */
  #unblock = () => {};
  #closes = 0; /* close() calls: an open that finishes after one closes its connection */
  #issued = new Map(); /* profileId -> { rev, bytes } of this adapter's write not yet committed */

  /**
   * @param {{ dbName?: string, indexedDB?: IDBFactory, onError?: (e: AttuneError) => void, persist?: boolean }} o
   */
  constructor({ dbName = 'attune', indexedDB, onError = () => {}, persist = false } = {}) {
    this.#name = dbName;
    this.#idb = indexedDB;
    this.#onError = onError;
    this.#persist = persist;
  }

  /** Opens (or reuses) the database; `create` false resolves null when it does not exist yet. */
  async #open(create) {
    if (this.#db) return this.#db;
    if (this.#blocked) {
      /* the other tab may let go at any moment, and then the waiting request finishes within
         milliseconds: give it as long as a first open gets before going on in memory */
      let timer;
      await Promise.race([this.#unblocked, new Promise((ok) => { timer = setTimeout(ok, OPEN_WAIT_MS); })]);
      clearTimeout(timer);
      if (this.#blocked) throw this.#blockedError();
      return this.#open(create);
    }
    if (this.#opening && create && !this.#opening.create) {
      /* an open that must not create is under way: it may find no database, then create it */
      const db = await this.#opening.promise.catch(() => null);
      return db ?? this.#open(create);
    }
    if (this.#opening) return this.#opening.promise;
    if (!this.#idb) {
      try {
        this.#idb = globalThis.indexedDB; /* may throw where storage is blocked */
      } catch {
        this.#idb = null;
      }
    }
    if (!this.#idb) throw new AttuneError('storage_failed', 'IndexedDB is not available here; the profile is kept in memory only');
    if (!create && typeof this.#idb.databases === 'function') {
      /* reading must not create a database: level none never writes */
      const list = await this.#idb.databases();
      if (!list.some((d) => d.name === this.#name)) return null;
      if (this.#db || this.#opening) return this.#open(create); /* another call got there first */
    }
    const opening = new Promise((ok, fail) => {
      const closes = this.#closes;
      let refused = false; /* the database did not exist and this open must not create it */
      const req = this.#idb.open(this.#name, SCHEMA_VERSION);
      /* Never hang: when the open is blocked by a tab holding an older version, or queued
         behind another tab's blocked upgrade (which fires no event at all), fail now — the
         engine works in memory and retries writes — and let the request finish whenever the
         other tab lets go. */
      const block = () => {
        this.#blocked = true;
        this.#unblocked = new Promise((ok) => { this.#unblock = ok; });
        fail(this.#blockedError());
      };
      const unblock = () => {
        this.#blocked = false;
        this.#unblock();
      };
      const timer = setTimeout(block, OPEN_WAIT_MS);
      req.onupgradeneeded = (e) => {
        clearTimeout(timer); /* not blocked: the upgrade is ours */
        if (e.oldVersion === 0 && !create) {
          /* where indexedDB.databases() is missing, opening is the only way to ask; aborting
             the version change undoes the creation, so a mere read leaves nothing behind */
          refused = true;
          req.transaction.abort();
          return;
        }
        upgrade(req.result, e.oldVersion);
      };
      req.onblocked = () => {
        clearTimeout(timer);
        block();
      };
      req.onsuccess = () => {
        clearTimeout(timer);
        const db = req.result;
        unblock(); /* waiters resume after this handler, with this.#db set below */
        if (closes !== this.#closes) {
          db.close();
          fail(new AttuneError('closed', 'the IndexedDB storage was closed'));
          return;
        }
        db.onversionchange = () => { /* let another tab upgrade: close, reopen on next use */
          db.close();
          if (this.#db === db) this.#db = null;
        };
        db.onclose = () => { if (this.#db === db) this.#db = null; };
        this.#db = db;
        if (this.#persist) globalThis.navigator?.storage?.persist?.().catch(() => {});
        ok(db);
      };
      req.onerror = (e) => {
        clearTimeout(timer);
        unblock();
        if (refused) {
          e.preventDefault(); /* the abort was ours, not a failure */
          ok(null);
          return;
        }
        fail(req.error);
      };
    }).finally(() => { if (this.#opening?.promise === opening) this.#opening = null; });
    this.#opening = { create, promise: opening };
    return opening;
  }

  #blockedError() {
    return new AttuneError('storage_blocked', `the Attune database "${this.#name}" could not be opened: another tab of ` +
      'this site still has an older version open, or is upgrading it; close other tabs of this site (the profile is ' +
      'kept in memory until then)');
  }

  /** The stored profile and the snapshots closed tabs left pending for it. */
  async load(profileId) {
    const db = await this.#open(false);
    if (!db) return null;
    const tx = db.transaction(['profiles', 'pending'], 'readonly');
    const [record, pending] = await Promise.all([
      request(tx.objectStore('profiles').get(profileId)),
      request(tx.objectStore('pending').index('profileId').getAll(profileId)),
    ]);
    this.#seen(profileId, record || pending.length);
    if (!record && !pending.length) return null;
    return { bytes: record ? new Uint8Array(record.bytes) : null, rev: record?.rev ?? null, pending: pendingOf(pending, record?.rev) };
  }

  /**
   * For a page that is going away: writes this tab's snapshot and the base it was made from
   * to `pending` without reading anything first (a read's callback would never run).  The
   * transaction is created before this returns.  When this adapter's own write of the profile
   * is in flight, the stash also names it (see pendingOf).
   */
  stash(profileId, writer, base, bytes) {
    const db = this.#db;
    if (!db) return Promise.reject(new AttuneError('storage_failed', 'the database is not open'));
    const tx = db.transaction('pending', 'readwrite', { durability: 'relaxed' });
    const issued = this.#issued.get(profileId);
    tx.objectStore('pending').put({ key: stashKey(profileId, writer), profileId, base: base && Uint8Array.from(base),
      bytes: Uint8Array.from(bytes), after: issued && { rev: issued.rev, bytes: issued.bytes }, at: Date.now() });
    tx.commit?.();
    this.#held.add(profileId);
    return done(tx);
  }

  async save(profileId, bytes) {
    return this.sync(profileId, () => bytes);
  }

  async remove(profileId) {
    return this.sync(profileId, () => null);
  }

  /**
   * Opens (creating) the database ahead of the first write, so writes start at once — even
   * the blind one a closing page makes.  Resolves when it is open or failed (never rejects:
   * the write that needs it reports the failure).
   */
  warm() {
    return this.#open(true).then(() => {}, () => {});
  }

  /**
   * Reads the stored { bytes, rev, pending }, calls `produce` (synchronous) and writes what it
   * returns (bytes, null = delete, undefined = nothing), deleting the pending snapshots it was
   * given and the one the same writer (`note.from`) stashed — all in ONE readwrite
   * transaction, which IndexedDB runs alone among writers of these stores, so no other tab
   * can write in between; and under the profile's Web Lock.  After commit, a note goes to
   * other tabs.  Resolves to { rev }.  When nothing is stored for the profile, `produce`
   * first runs on that empty state; if it writes nothing, no readwrite transaction is opened
   * (see #transact).
   */
  async sync(profileId, produce, note = {}) {
    const work = () => this.#transact(profileId, produce, note);
    const locks = globalThis.navigator?.locks;
    if (!locks) return work();
    return locks.request(`attune:${this.#name}:${profileId}`, work);
  }

  /*
   * A write that finds nothing stored for the profile and would write nothing (produce returns
   * null or undefined: a forget, a level-none purge, an import at level none) opens no
   * readwrite transaction.  A readonly transaction looks first — skipped when this adapter
   * last saw the profile stored, so steady saves pay no extra read (a stale hint only costs
   * the readwrite transaction, whose produce sees the truth).  We hold the profile's Web Lock,
   * so no other tab's write can land between that look and the decision.  What can is another
   * tab's pagehide stash (written blind, without the lock, into `pending`): a delete we then
   * skip simply comes before it, as if the stash had been written just after a readwrite
   * delete, and the next load or save merges it; a write we go on with looks again inside its
   * transaction and runs produce on the stash.
   */
  async #transact(profileId, produce, note) {
    let db = this.#db ?? await this.#open(false);
    let known; /* what produce returned for "nothing stored", when that is what we found */
    if (!db || !this.#held.has(profileId)) {
      if (!db || !await this.#holds(db, profileId)) {
        known = produce({ bytes: null, rev: null, pending: [] });
        if (known === undefined || known === null) return { rev: null };
        db ??= await this.#open(true); /* the first write creates the database */
      }
    }
    return new Promise((ok, fail) => {
      const tx = db.transaction(['profiles', 'pending'], 'readwrite', { durability: 'relaxed' });
      const store = tx.objectStore('profiles');
      const pendingStore = tx.objectStore('pending');
      let result = null;
      const get = store.get(profileId);
      const getPending = pendingStore.index('profileId').getAll(profileId);
      getPending.onsuccess = () => {
        const record = get.result;
        const all = pendingOf(getPending.result, record?.rev);
        /* this writer's own stash (its page was hidden, then came back): memory holds all of
           it already, and merging it again would add its counters (metrics, impressions) a
           second time — so it is deleted below without being handed to produce, which is told
           whether it was still there (if not, another tab merged it in) */
        const ownKey = stashKey(profileId, note.from);
        const pending = all.filter((p) => p.key !== ownKey);
        const stored = { bytes: record ? new Uint8Array(record.bytes) : null, rev: record?.rev ?? null, pending,
          ownStash: all.length !== pending.length };
        const empty = !record && !all.length;
        try {
          /* produce already ran on "nothing stored": run it again only if that changed since */
          const out = known !== undefined && empty ? known : produce(stored);
          if (out === undefined || (out === null && empty)) {
            result = { rev: stored.rev, wrote: false, held: !empty };
            return;
          }
          const rev = out === null ? null : newRevision();
          if (out === null) store.delete(profileId);
          else {
            const bytes = Uint8Array.from(out);
            store.put({ id: profileId, rev, bytes, savedAt: Date.now() });
            this.#issued.set(profileId, { rev, bytes });
          }
          for (const p of all) pendingStore.delete(p.key);
          result = { rev, wrote: true, held: out !== null };
        } catch (err) {
          tx.abort();
          fail(err);
        }
      };
      const settled = () => this.#issued.delete(profileId);
      tx.oncomplete = () => {
        settled();
        if (result) this.#seen(profileId, result.held);
        if (result?.wrote) this.#post({ ...note, profileId, rev: result.rev });
        ok({ rev: result ? result.rev : null });
      };
      tx.onerror = () => {
        settled();
        fail(tx.error);
      };
      tx.onabort = () => {
        settled();
        fail(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
      };
    });
  }

  /** Whether a profile record or pending snapshots exist for the profile (a readonly look). */
  async #holds(db, profileId) {
    const tx = db.transaction(['profiles', 'pending'], 'readonly');
    const [n, pending] = await Promise.all([
      request(tx.objectStore('profiles').count(profileId)),
      request(tx.objectStore('pending').index('profileId').count(profileId)),
    ]);
    const held = n + pending > 0;
    this.#seen(profileId, held);
    return held;
  }

  #seen(profileId, held) {
    if (held) this.#held.add(profileId);
    else this.#held.delete(profileId);
  }

  /** Keeps damaged bytes aside (never silently deleted), then removes the record. */
  async quarantine(profileId, bytes) {
    const db = await this.#open(true);
    const tx = db.transaction(['quarantine', 'profiles'], 'readwrite');
    tx.objectStore('quarantine').add({ profileId, bytes: Uint8Array.from(bytes), at: Date.now() });
    tx.objectStore('profiles').delete(profileId);
    await done(tx);
  }

  #channelOpen() {
    if (!this.#channel && typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`attune:${this.#name}`);
      this.#channel.onmessage = (e) => {
        const note = e.data;
        if (!note || typeof note.profileId !== 'string') return;
        for (const fn of this.#watchers.get(note.profileId) ?? []) fn(note);
      };
    }
    return this.#channel;
  }

  #post(note) {
    try {
      this.#channelOpen()?.postMessage(note);
    } catch {
      /* other tabs will still merge on their next save */
    }
  }

  /** Calls fn(note) when another tab commits a change to the profile; returns unwatch. */
  watch(profileId, fn) {
    this.#channelOpen();
    if (!this.#watchers.has(profileId)) this.#watchers.set(profileId, new Set());
    this.#watchers.get(profileId).add(fn);
    return () => this.#watchers.get(profileId)?.delete(fn);
  }

  close() {
    this.#closes++;
    this.#channel?.close();
    this.#channel = null;
    this.#db?.close();
    this.#db = null;
  }
}
