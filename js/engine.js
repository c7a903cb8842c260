/**
 * The Engine: the public API over one profile.  Works in memory (the wasm core) and persists
 * snapshots through a storage adapter; saves are debounced and serialised, and deletions
 * (forget, downgrades) reach storage before the call resolves.
 */
import { AttuneError, JS_CODES, badArgument, describe } from './errors.js';
import { Core } from './wasm.js';
import { MemoryStorage } from './storage/memory.js';
import { newRevision } from './storage/revision.js';

/** Delays between retries of a failed save (quota, a busy disk), in ms. */
const RETRY_DELAYS = [1000, 5000, 30000, 60000];

const EVENT_TYPES = ['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression'];

/** A JSON text for the core, turning what JSON.stringify cannot take into AttuneErrors. */
function toJSON(value, what) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new AttuneError(JS_CODES.ARG, `${what}: cannot be turned into JSON (${err.message})`, { cause: err });
  }
  if (text === undefined) throw badArgument(`${what}: expected an object, got ${describe(value)}`);
  return text;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A 53-bit random integer from the platform's CSPRNG. */
function randomId() {
  const a = new Uint32Array(2);
  globalThis.crypto.getRandomValues(a);
  return (a[0] & 0x1fffff) * 2 ** 32 + a[1];
}

/** Resolves the `storage` option to an adapter. */
function resolveStorage(storage, platform, opts) {
  if (storage === undefined) storage = platform.defaultStorage;
  if (storage === 'memory') return new MemoryStorage();
  if (storage === 'indexeddb') {
    if (!platform.indexedDB) {
      throw badArgument('storage: "indexeddb" is not available here; use "memory" or pass an adapter');
    }
    return platform.indexedDB(opts);
  }
  if (storage && typeof storage.load === 'function' && typeof storage.save === 'function' &&
      typeof storage.remove === 'function') {
    return storage;
  }
  throw badArgument('storage: expected "indexeddb", "memory" or an adapter with load, save and remove');
}

export class Engine {
  #core;
  #storage;
  #profileId;
  #now;
  #random;
  #listeners = { change: new Set(), error: new Set() };
  #saveDelay;
  #saveTimer = null;
  #saving = Promise.resolve();
  #dirty = false;
  #readOnly = false; /* a stored profile we must not overwrite (newer format, unreadable storage) */
  #closed = false;
  #base = null; /* the stored bytes this engine last read or wrote: the base of merges */
  #rev = null; /* their revision (null: nothing stored) */
  #writer = newRevision(); /* tells our own change notes from other tabs' */
  #unwatch = null;
  #unhide = null;
  #retryDelay = 0;
  #creating = true;

  /** @internal use createEngine() */
  constructor(core, storage, opts) {
    this.#core = core;
    this.#storage = storage;
    this.#profileId = opts.profileId;
    this.#now = opts.now;
    this.#random = opts.random;
    this.#saveDelay = opts.saveDelayMs;
    if (opts.on) {
      for (const [name, fn] of Object.entries(opts.on)) this.on(name, fn);
    }
  }

  /** @internal */
  static async create(options, platform) {
    const opts = normaliseOptions(options, platform);
    let engine = null;
    const early = [];
    /* adapters report problems they find on their own (a blocked upgrade) through this */
    opts.onStorageError = (err) => (engine ? engine.#reportError(err) : early.push(err));
    const storage = resolveStorage(opts.storage, platform, opts);
    let module;
    try {
      module = await platform.loadModule(opts.wasm, opts.wasmIntegrity);
    } catch (err) {
      throw new AttuneError(JS_CODES.WASM, `attune.wasm could not be loaded or compiled (${err?.message ?? err})`, { cause: err });
    }
    const core = new Core(module);
    engine = new Engine(core, storage, opts);
    for (const err of early) engine.#deferError(err);
    try {
      const now = engine.#time();
      const config = typeof opts.config === 'string' ? opts.config : toJSON(opts.config ?? {}, 'config');
      core.withInputs([config], (p, n) => core.check(core.x.att_configure(core.h, p, n, now)));
      const catalog = await platform.readCatalog(opts.catalog);
      core.withInputs([catalog], (p, n) => core.check(core.x.att_load_catalog(core.h, p, n, now)));
      engine.catalogInfo = core.resultJSON();
      await engine.#load(platform);
      engine.#creating = false;
    } catch (err) {
      core.free();
      throw err;
    }
    return engine;
  }

  /* --- internals ---------------------------------------------------------------------- */

  #time() {
    const t = this.#now();
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw badArgument(`now(): the clock returned ${describe(t)}; it must return milliseconds since 1970`);
    }
    return t;
  }

  #live() {
    if (this.#closed) throw new AttuneError(JS_CODES.CLOSED, 'this engine is closed; create a new one');
    return this.#core;
  }

  #emit(name, detail) {
    for (const fn of this.#listeners[name]) {
      try {
        fn(detail);
      } catch (err) {
        /* a listener's failure must not break the engine or other listeners */
        if (name !== 'error') this.#emit('error', new AttuneError('listener_failed', `a ${name} listener threw: ${err?.message}`, { cause: err }));
      }
    }
  }

  #reportError(err) {
    const e = err instanceof AttuneError ? err : new AttuneError(JS_CODES.STORAGE, String(err?.message ?? err), { cause: err });
    if (this.#creating) this.#deferError(e);
    else this.#emit('error', e);
    return e;
  }

  /** Reads the stored profile at start-up; damaged data is set aside, newer data left alone. */
  async #load(platform) {
    const core = this.#core;
    let stored;
    try {
      stored = normaliseStored(await this.#storage.load(this.#profileId));
    } catch (err) {
      this.#readOnly = true; /* we could not read it, so we must not overwrite it */
      this.#deferError(asStorageError(err, 'could not read the stored profile; working in memory only'));
      return;
    }
    if (typeof this.#storage.watch === 'function') {
      this.#unwatch = this.#storage.watch(this.#profileId, (note) => this.#onNote(note));
    }
    this.#unhide = platform.onPageHide?.(() => this.flush().catch(() => {})) ?? null;
    if (!stored.bytes) return;
    try {
      core.withInputs([stored.bytes], (p, n) => core.check(core.x.att_restore(core.h, p, n, this.#time())));
    } catch (err) {
      if (!(err instanceof AttuneError)) throw err;
      if (err.code === 'newer_version') {
        this.#readOnly = true; /* never overwrite data a newer version wrote */
      } else {
        await this.#storage.quarantine?.(this.#profileId, stored.bytes).catch(() => {});
        this.#rev = null;
      }
      this.#deferError(err);
      return;
    }
    this.#base = stored.bytes;
    this.#rev = stored.rev;
    if (core.takeDirty()) {
      this.#dirty = true; /* retention or level limits trimmed it: rewrite the stored copy */
      await this.#saveNow().catch(() => {}); /* reported; retried */
    }
  }

  /** Another tab changed the stored profile: merge it in (ours stays, theirs joins). */
  #onNote(note) {
    if (this.#closed || note.from === this.#writer || note.rev === this.#rev) return;
    const core = this.#core;
    if (note.level === 'none' && core.level() !== 0) {
      /* the user chose to store nothing in another tab: honour it here too */
      core.check(core.x.att_set_level(core.h, 0, this.#time()));
      core.takeDirty();
      this.#dirty = false;
      this.#base = null;
      this.#rev = null;
      this.#emit('change', { reason: 'sync', level: this.level });
      return;
    }
    const run = async () => {
      if (this.#closed || this.#readOnly) return;
      const stored = normaliseStored(await this.#storage.load(this.#profileId));
      if (stored.rev === this.#rev) return;
      this.#mergeStored(stored);
      this.#emit('change', { reason: 'sync', level: this.level });
    };
    this.#saving = this.#saving.then(run, run).catch((err) => this.#reportError(err));
  }

  /** Three-way merge of a stored profile into memory; the result must be saved if we had changes. */
  #mergeStored(stored) {
    const core = this.#core;
    try {
      core.withInputs([this.#base, stored.bytes], (bp, bl, tp, tl) =>
        core.check(core.x.att_merge(core.h, bp, bl, tp, tl, this.#time())));
    } catch (err) {
      if (err?.code === 'newer_version') {
        this.#readOnly = true;
        throw err;
      }
      if (err?.code !== 'corrupt_profile') throw err;
      this.#reportError(err); /* theirs is damaged: ours replaces it */
    }
    core.takeDirty();
    this.#base = stored.bytes;
    this.#rev = stored.rev;
  }

  /** Errors found while creating the engine reach listeners attached right after it resolves. */
  #deferError(err) {
    setTimeout(() => this.#emit('error', err), 0);
  }

  /** After a call that may have changed the profile: schedule a save and tell listeners. */
  #afterChange(reason) {
    if (this.#core.takeDirty()) {
      this.#dirty = true;
      this.#scheduleSave();
    }
    this.#emit('change', { reason, level: this.level });
  }

  #scheduleSave(delay = this.#saveDelay) {
    if (this.#saveTimer !== null || this.#readOnly || this.#closed) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      this.#saveNow().catch(() => {});
    }, delay);
  }

  /**
   * Writes the current snapshot after anything already running.  With an adapter that can
   * sync, the write happens under the profile's lock: if another tab wrote since our base, its
   * profile is merged in first, so neither tab loses anything.  Failures go to 'error'
   * listeners and are retried with back-off.
   */
  #saveNow() {
    if (this.#saveTimer !== null) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
    }
    const run = async () => {
      if (this.#readOnly || !this.#dirty) return;
      this.#dirty = false;
      const core = this.#core;
      if (core.level() === 0) return; /* level none stores nothing */
      let written = null;
      const produce = (stored) => {
        if (stored.rev !== this.#rev) this.#mergeStored(stored);
        if (core.level() === 0) return undefined;
        core.check(core.x.att_snapshot(core.h, this.#time()));
        core.takeDirty();
        written = core.resultBytes();
        return written;
      };
      try {
        if (typeof this.#storage.sync === 'function') {
          const { rev } = await this.#storage.sync(this.#profileId, produce, { from: this.#writer, reason: 'save' });
          if (written) {
            this.#base = written;
            this.#rev = rev;
          }
        } else {
          await this.#storage.save(this.#profileId, produce({ bytes: this.#base, rev: this.#rev }));
        }
        this.#retryDelay = 0;
      } catch (err) {
        if (this.#readOnly) throw this.#reportError(err);
        this.#dirty = true; /* keep it for the next attempt */
        const delay = RETRY_DELAYS[Math.min(this.#retryDelay, RETRY_DELAYS.length - 1)];
        this.#retryDelay++;
        this.#scheduleSave(delay);
        throw this.#reportError(asStorageError(err, 'could not save the profile; it is kept in memory and saving will be retried'));
      }
    };
    this.#saving = this.#saving.then(run, run);
    return this.#saving;
  }

  /** Deletes the stored copy (forget, level none) after pending saves. */
  #removeStored(reason) {
    if (this.#saveTimer !== null) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
    }
    this.#dirty = false;
    const run = async () => {
      if (this.#readOnly) return;
      try {
        if (typeof this.#storage.sync === 'function') {
          await this.#storage.sync(this.#profileId, () => null, { from: this.#writer, reason, level: this.level });
        } else {
          await this.#storage.remove(this.#profileId);
        }
        this.#base = null;
        this.#rev = null;
      } catch (err) {
        throw this.#reportError(asStorageError(err, 'could not delete the stored profile'));
      }
    };
    this.#saving = this.#saving.then(run, run);
    return this.#saving;
  }

  #level(name, what) {
    const i = this.#core.constants.levels.indexOf(name);
    if (typeof name !== 'string' || i < 0) {
      throw badArgument(`${what}: expected one of ${this.#core.constants.levels.join(', ')}, got ${describe(name)}`);
    }
    return i;
  }

  #context(context, what) {
    if (context === undefined || context === null) return null;
    if (!isPlainObject(context)) throw badArgument(`${what}: context must be an object, got ${describe(context)}`);
    return toJSON(context, `${what}: context`);
  }

  /* --- public API ---------------------------------------------------------------------- */

  /** The current personalization level. */
  get level() {
    return this.#core.constants.levels[this.#core.level()];
  }

  /** Declares traits: { name: value | null }.  Only traits declared in config.traits. */
  async setTraits(traits) {
    const core = this.#live();
    if (!isPlainObject(traits)) throw badArgument(`setTraits: expected an object {name: value}, got ${describe(traits)}`);
    const text = toJSON(traits, 'setTraits');
    core.withInputs([text], (p, n) => core.check(core.x.att_set_traits(core.h, p, n, this.#time())));
    this.#afterChange('traits');
  }

  /** Records an interaction: { item, type, at?, value? }. */
  async track(event, context) {
    const core = this.#live();
    if (!isPlainObject(event)) throw badArgument(`track: expected an event object {item, type}, got ${describe(event)}`);
    const { item, type } = event;
    if (typeof item !== 'string') throw badArgument(`track: item must be an id string, got ${describe(item)}`);
    const t = EVENT_TYPES.indexOf(type);
    if (typeof type !== 'string' || t < 0) {
      throw badArgument(`track: type must be one of ${EVENT_TYPES.join(', ')}, got ${describe(type)}`);
    }
    let at = event.at;
    if (at instanceof Date) at = at.getTime();
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at))) {
      throw badArgument(`track: at must be a time in ms or a Date, got ${describe(at)}`);
    }
    const value = event.value;
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw badArgument(`track: value must be a finite number, got ${describe(value)}`);
    }
    const ctx = this.#context(context, 'track');
    const now = this.#time();
    core.withInputs([item, ctx], (ip, il, cp, cl) =>
      core.check(core.x.att_track(core.h, ip, il, t, at ?? NaN, value ?? NaN, randomId(), cp, cl, now)));
    this.#afterChange('track');
  }

  /** Ranks the catalog: [{ id, score, reasons, editorial? }]. */
  recommend(options = {}) {
    const core = this.#live();
    if (!isPlainObject(options)) throw badArgument(`recommend: expected an options object, got ${describe(options)}`);
    if (typeof options.filter === 'function') {
      throw badArgument('recommend: filter must be an object {tags, categories}; functions cannot run inside the engine');
    }
    const text = toJSON(options, 'recommend');
    core.withInputs([text], (p, n) => core.check(core.x.att_recommend(core.h, p, n, this.#time())));
    const list = core.resultJSON();
    if (core.takeDirty()) this.#afterChangeQuiet();
    return list;
  }

  /** Why an item scores what it scores: contributions that add up to the score. */
  explain(itemId, context) {
    const core = this.#live();
    if (typeof itemId !== 'string') throw badArgument(`explain: expected an item id string, got ${describe(itemId)}`);
    const ctx = this.#context(context, 'explain');
    core.withInputs([itemId, ctx], (ip, il, cp, cl) =>
      core.check(core.x.att_explain(core.h, ip, il, cp, cl, this.#time())));
    const out = core.resultJSON();
    if (core.takeDirty()) this.#afterChangeQuiet();
    return out;
  }

  /** The local segment label (never randomised; it stays on the device). */
  segment() {
    const core = this.#live();
    core.check(core.x.att_segment(core.h, this.#time()));
    const label = core.resultText();
    if (core.takeDirty()) this.#afterChangeQuiet();
    return label;
  }

  /** Exactly what may be sent to a server: { segment } or null at level none. */
  serverPayload() {
    const core = this.#live();
    const seed = Math.floor(this.#random() * 2 ** 53);
    core.check(core.x.att_server_payload(core.h, seed, this.#time()));
    const payload = core.resultJSON();
    if (core.takeDirty()) this.#afterChangeQuiet();
    return payload;
  }

  /** Every stored data point: what, why, count, oldest, expiresAt, level, leavesDevice. */
  inventory() {
    return this.#read('att_inventory');
  }

  /** Local engagement figures: impressions, clicks and CTR by level and position. */
  metrics() {
    return this.#read('att_metrics');
  }

  /** Epsilon per epoch, disclosures, cumulative epsilon, what is stored by level and what leaves. */
  privacyReport() {
    return this.#read('att_privacy_report');
  }

  #read(fn) {
    const core = this.#live();
    core.check(core.x[fn](core.h, this.#time()));
    const out = core.resultJSON();
    if (core.takeDirty()) this.#afterChangeQuiet();
    return out;
  }

  /** Expiry found by a read-only call: save, and tell listeners, without a new reason. */
  #afterChangeQuiet() {
    this.#dirty = true;
    this.#scheduleSave();
    this.#emit('change', { reason: 'expired', level: this.level });
  }

  /** Changes the level; a downgrade deletes at once, in memory and in storage. */
  async setPrivacyLevel(level) {
    const core = this.#live();
    const l = this.#level(level, 'setPrivacyLevel');
    const before = core.level();
    core.check(core.x.att_set_level(core.h, l, this.#time()));
    core.takeDirty();
    if (l === 0) {
      await this.#removeStored('level');
    } else {
      this.#dirty = true;
      if (l < before) await this.#saveNow();
      else this.#scheduleSave();
    }
    this.#emit('change', { reason: 'level', level: this.level });
  }

  /** Blocks a tag or an item: blocked content never ranks. */
  async block(target) {
    return this.#block(target, 1, 'block');
  }

  /** Lifts a block set with block(). */
  async unblock(target) {
    return this.#block(target, 0, 'unblock');
  }

  async #block(target, on, what) {
    const core = this.#live();
    if (!isPlainObject(target)) throw badArgument(`${what}: expected { tag } or { item }, got ${describe(target)}`);
    const keys = Object.keys(target);
    const kind = keys.length === 1 && keys[0] === 'tag' ? 0 : keys.length === 1 && keys[0] === 'item' ? 1 : -1;
    if (kind < 0) throw badArgument(`${what}: expected exactly one of { tag } or { item }`);
    const key = target[keys[0]];
    if (typeof key !== 'string') throw badArgument(`${what}: ${keys[0]} must be a string, got ${describe(key)}`);
    core.withInputs([key], (p, n) => core.check(core.x.att_block(core.h, kind, p, n, on, this.#time())));
    this.#afterChange(what);
  }

  /** The profile as human-readable, versioned JSON (an object). */
  async export() {
    return this.#read('att_export');
  }

  /** Replaces the profile with an export (object or JSON text); refuses damaged or newer data. */
  async import(data) {
    const core = this.#live();
    let text;
    if (typeof data === 'string') text = data;
    else if (data instanceof Uint8Array) text = new TextDecoder().decode(data);
    else if (isPlainObject(data)) text = toJSON(data, 'import');
    else throw badArgument(`import: expected an export object or its JSON text, got ${describe(data)}`);
    core.withInputs([text], (p, n) => core.check(core.x.att_import(core.h, p, n, this.#time())));
    core.takeDirty();
    this.#dirty = true;
    if (core.level() === 0) await this.#removeStored('import');
    else await this.#saveNow();
    this.#emit('change', { reason: 'import', level: this.level });
  }

  /** Deletes the whole profile, in memory and in storage. */
  async forget() {
    const core = this.#live();
    core.check(core.x.att_forget(core.h));
    core.takeDirty();
    await this.#removeStored('forget');
    this.#emit('change', { reason: 'forget', level: this.level });
  }

  /** Resolves when every pending save has reached storage. */
  async flush() {
    if (this.#closed) return this.#saving.catch(() => {});
    if (this.#saveTimer !== null || this.#dirty) await this.#saveNow();
    else await this.#saving;
  }

  /**
   * Listens for 'change' ({ reason, level }) or 'error' (AttuneError).  Returns a function that
   * removes the listener.
   */
  on(name, fn) {
    if (!(name in this.#listeners)) throw badArgument(`on: unknown event ${describe(name)}; use "change" or "error"`);
    if (typeof fn !== 'function') throw badArgument('on: the listener must be a function');
    this.#listeners[name].add(fn);
    return () => this.#listeners[name].delete(fn);
  }

  /** Saves what is pending, then releases the engine.  Later calls throw 'closed'. */
  close() {
    if (this.#closed) return;
    const pending = this.#saveTimer !== null || this.#dirty;
    const finish = () => {
      this.#unwatch?.();
      this.#unhide?.();
      this.#core.free();
      this.#storage.close?.();
    };
    if (pending) this.#saveNow().catch(() => {}).finally(finish);
    else this.#saving.catch(() => {}).finally(finish);
    this.#closed = true;
  }
}

/** Adapters return bytes, { bytes, rev } or null from load(). */
function normaliseStored(stored) {
  if (stored === null || stored === undefined) return { bytes: null, rev: null };
  if (stored instanceof Uint8Array) return { bytes: stored, rev: null };
  if (stored.bytes === null || stored.bytes instanceof Uint8Array) return { bytes: stored.bytes, rev: stored.rev ?? null };
  throw new AttuneError(JS_CODES.STORAGE, 'the storage adapter returned something other than bytes from load()');
}

function asStorageError(err, what) {
  if (err instanceof AttuneError) return err;
  const quota = err?.name === 'QuotaExceededError';
  return new AttuneError(quota ? 'quota_exceeded' : JS_CODES.STORAGE, `${what} (${err?.name ?? 'Error'}: ${err?.message ?? err})`, { cause: err });
}

/** Validates createEngine options and fills defaults. */
function normaliseOptions(options, platform) {
  if (!isPlainObject(options)) throw badArgument(`createEngine: expected an options object, got ${describe(options)}`);
  const known = ['catalog', 'config', 'storage', 'profileId', 'dbName', 'now', 'random', 'wasm', 'saveDelayMs', 'on',
    'persist', 'wasmIntegrity'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw badArgument(`createEngine: unknown option "${key}" (known: ${known.join(', ')})`);
  }
  const o = { ...options };
  if (o.catalog === undefined || o.catalog === null) throw badArgument('createEngine: catalog is required');
  if (o.config !== undefined && typeof o.config !== 'string' && !isPlainObject(o.config)) {
    throw badArgument(`createEngine: config must be an object or JSON text, got ${describe(o.config)}`);
  }
  o.profileId ??= 'default';
  if (typeof o.profileId !== 'string' || !o.profileId || o.profileId.length > 128) {
    throw badArgument('createEngine: profileId must be a string of 1 to 128 characters');
  }
  o.dbName ??= 'attune';
  if (typeof o.dbName !== 'string' || !o.dbName) throw badArgument('createEngine: dbName must be a non-empty string');
  o.now ??= () => Date.now();
  if (typeof o.now !== 'function') throw badArgument('createEngine: now must be a function returning ms');
  o.random ??= () => {
    const a = new Uint32Array(2);
    globalThis.crypto.getRandomValues(a);
    return (a[0] * 2 ** 21 + (a[1] >>> 11)) / 2 ** 53;
  };
  if (typeof o.random !== 'function') throw badArgument('createEngine: random must be a function returning [0, 1)');
  o.saveDelayMs ??= platform.defaultSaveDelayMs;
  if (typeof o.saveDelayMs !== 'number' || !(o.saveDelayMs >= 0) || o.saveDelayMs > 60000) {
    throw badArgument('createEngine: saveDelayMs must be a number of ms from 0 to 60000');
  }
  if (o.on !== undefined && !isPlainObject(o.on)) throw badArgument('createEngine: on must be an object { change, error }');
  return o;
}
