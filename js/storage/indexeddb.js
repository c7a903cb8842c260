/**
 * The IndexedDB storage adapter (the default in browsers).  One record per profile in the
 * `profiles` store: { id, rev, bytes, savedAt }.  Each write is one transaction with nothing
 * awaited inside it, relaxed durability, and resolves on `complete`.  Writes of a profile run
 * under a Web Lock, and after each commit a BroadcastChannel note tells other tabs to merge.
 * Damaged snapshots are kept aside in `quarantine`.  Schema upgrades are numbered steps.
 */
import { AttuneError } from '../errors.js';
import { newRevision } from './revision.js';

const SCHEMA_VERSION = 1;

/** Numbered schema steps: each case upgrades from the version before it (fall through). */
function upgrade(db, oldVersion) {
  switch (oldVersion) {
    case 0:
      db.createObjectStore('profiles', { keyPath: 'id' });
      db.createObjectStore('quarantine', { autoIncrement: true });
    // falls through: later versions add their steps here
    default:
  }
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
  #opening = null;
  #channel = null;
  #watchers = new Map();
  #onError;
  #persist;

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
    }
    this.#opening ??= new Promise((ok, fail) => {
      const req = this.#idb.open(this.#name, SCHEMA_VERSION);
      req.onupgradeneeded = (e) => upgrade(req.result, e.oldVersion);
      req.onblocked = () => this.#onError(new AttuneError('storage_blocked',
        `the Attune database "${this.#name}" is being upgraded but another tab still has it open; close other tabs of this site`));
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { /* let another tab upgrade: close, reopen on next use */
          db.close();
          if (this.#db === db) this.#db = null;
        };
        db.onclose = () => { if (this.#db === db) this.#db = null; };
        this.#db = db;
        if (this.#persist) globalThis.navigator?.storage?.persist?.().catch(() => {});
        ok(db);
      };
      req.onerror = () => fail(req.error);
    }).finally(() => { this.#opening = null; });
    return this.#opening;
  }

  async #get(profileId, create) {
    const db = await this.#open(create);
    if (!db) return null;
    const tx = db.transaction('profiles', 'readonly');
    const record = await request(tx.objectStore('profiles').get(profileId));
    return record ?? null;
  }

  /** One write transaction: put (bytes) or delete (null).  Nothing awaited inside it. */
  async #write(profileId, bytes, rev) {
    const db = await this.#open(true);
    const tx = db.transaction('profiles', 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore('profiles');
    if (bytes === null) store.delete(profileId);
    else store.put({ id: profileId, rev, bytes, savedAt: Date.now() });
    tx.commit?.();
    await done(tx);
  }

  async load(profileId) {
    const record = await this.#get(profileId, false);
    if (!record) return null;
    return { bytes: new Uint8Array(record.bytes), rev: record.rev ?? null };
  }

  async save(profileId, bytes) {
    return this.sync(profileId, () => bytes);
  }

  async remove(profileId) {
    return this.sync(profileId, () => null);
  }

  /**
   * Under the profile's Web Lock: reads the stored { bytes, rev }, calls `produce` (which must
   * not await), writes what it returns (bytes, null = delete, undefined = nothing), then posts
   * a note to other tabs.  Resolves to { rev }.
   */
  async sync(profileId, produce, note = {}) {
    const work = async () => {
      const record = await this.#get(profileId, false);
      const stored = record ? { bytes: new Uint8Array(record.bytes), rev: record.rev ?? null } : { bytes: null, rev: null };
      const out = produce(stored);
      if (out === undefined) return { rev: stored.rev };
      if (out === null && !record) return { rev: null };
      const rev = out === null ? null : newRevision();
      await this.#write(profileId, out === null ? null : Uint8Array.from(out), rev);
      this.#post({ ...note, profileId, rev });
      return { rev };
    };
    const locks = globalThis.navigator?.locks;
    if (!locks) return work();
    return locks.request(`attune:${this.#name}:${profileId}`, work);
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
    this.#channel?.close();
    this.#channel = null;
    this.#db?.close();
    this.#db = null;
  }
}
