/**
 * The in-memory storage adapter (the default under Node).  It keeps snapshot bytes exactly as
 * a persistent adapter would, with the same revision protocol, so saving, loading and merging
 * go through the same code as in browsers.  Engines sharing one instance behave like tabs
 * sharing one IndexedDB: use it to simulate reloads and concurrent tabs.
 */
import { newRevision } from './revision.js';

export class MemoryStorage {
  #records = new Map(); /* profileId -> { bytes, rev } */
  #quarantined = new Map();
  #watchers = new Map(); /* profileId -> Set<fn> */
  #queue = Promise.resolve();

  async load(profileId) {
    const r = this.#records.get(profileId);
    return r ? { bytes: r.bytes.slice(), rev: r.rev } : null;
  }

  async save(profileId, bytes) {
    return this.sync(profileId, () => bytes);
  }

  async remove(profileId) {
    return this.sync(profileId, () => null);
  }

  /**
   * Runs `produce(stored)` with the stored { bytes, rev } (rev null when nothing is stored),
   * one profile write at a time, and stores what it returns: bytes, null (delete) or undefined
   * (leave as is).  Resolves to the new { rev }.
   */
  sync(profileId, produce, note = {}) {
    const run = async () => {
      const r = this.#records.get(profileId);
      const out = produce(r ? { bytes: r.bytes.slice(), rev: r.rev } : { bytes: null, rev: null });
      if (out === undefined) return { rev: r ? r.rev : null };
      const rev = out === null ? null : newRevision();
      if (out === null) this.#records.delete(profileId);
      else this.#records.set(profileId, { bytes: Uint8Array.from(out), rev });
      queueMicrotask(() => this.#notify(profileId, { ...note, rev }));
      return { rev };
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => {});
    return p;
  }

  /** Calls fn({ rev, ...note }) after another writer changed the profile; returns unwatch. */
  watch(profileId, fn) {
    if (!this.#watchers.has(profileId)) this.#watchers.set(profileId, new Set());
    this.#watchers.get(profileId).add(fn);
    return () => this.#watchers.get(profileId)?.delete(fn);
  }

  #notify(profileId, note) {
    for (const fn of this.#watchers.get(profileId) ?? []) fn(note);
  }

  /** Keeps damaged bytes aside instead of deleting them. */
  async quarantine(profileId, bytes) {
    this.#quarantined.set(profileId, Uint8Array.from(bytes));
    this.#records.delete(profileId);
  }

  /** What is stored for a profile (a copy), or null — for tests and tools. */
  peek(profileId) {
    const r = this.#records.get(profileId);
    return r ? r.bytes.slice() : null;
  }

  /** The quarantined bytes of a profile, or null. */
  peekQuarantine(profileId) {
    const bytes = this.#quarantined.get(profileId);
    return bytes ? bytes.slice() : null;
  }

  /** Every profile id with a stored record. */
  keys() {
    return [...this.#records.keys()];
  }

  close() {}
}
