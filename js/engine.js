/**
 * The Engine: the public API over one profile.  It works in memory (the wasm core) and keeps
 * the stored copy in step through a storage adapter: writes are debounced and serialised, a
 * deletion (forget, level none) or a downgrade reaches storage before the call resolves, and
 * storage failures never throw into the page — they go to 'error' listeners and are retried.
 */
import { AttuneError, JS_CODES, badArgument, describe, asStorageError } from './errors.js';
import {
  isPlainObject, toJSON, callRules, clockTime, contextOf, recommendOptions, eventOf, shownIds, traitsJSON, levelIndex,
  blockTarget, importJSON, checkKey, LIMITS, EVENT_TYPES,
} from './args.js';
import { Core } from './wasm.js';
import { FallbackEngine } from './fallback.js';
import { Listeners } from './listeners.js';
import { MemoryStorage } from './storage/memory.js';
import { newRevision } from './storage/revision.js';

const IMPRESSION = EVENT_TYPES.indexOf('impression');

/** Delays between retries of a failed write (quota, a busy disk), in ms. */
const RETRY_DELAYS = [1000, 5000, 30000, 60000];

/* Event ids come from the platform's CSPRNG, drawn 256 at a time: one call per event cost more
   than the rest of track(). */
const idPool = new Uint32Array(512);
let idNext = idPool.length;

/** A 53-bit random integer (an event id). */
function randomId() {
  if (idNext === idPool.length) {
    globalThis.crypto.getRandomValues(idPool);
    idNext = 0;
  }
  const hi = idPool[idNext++] & 0x1fffff;
  return hi * 2 ** 32 + idPool[idNext++];
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
  /* a listener's failure must not break the engine or other listeners: it is reported */
  #listeners = new Listeners((name, err) =>
    this.#report(new AttuneError('listener_failed', `a ${name} listener threw: ${err?.message}`, { cause: err })));
  #saveDelay;
  #timer = null;
  #queue = Promise.resolve(); /* storage operations, one at a time */
  #want = null; /* what storage still needs: null, 'save' or 'remove' */
  #readOnly = false; /* a stored profile we must not overwrite (newer format, unreadable storage) */
  #closed = false;
  #creating = true;
  #base = null; /* the stored bytes this engine last read or wrote: the base of merges */
  /* The last snapshot this engine stashed (see #stash) while its fate is unknown: another tab's
     write may merge it into the stored profile (then it, not #base, is what storage holds of
     ours), or our next write deletes it.  While it is out, #base changes only inside a write. */
  #stashed = null;
  #requests = 0; /* write requests made: a stash is skipped when none came since the last */
  #stashedAt = -1;
  #writing = false; /* a write is in flight (a page leaving now may not see it commit) */
  /* pending snapshots (other tabs' stashes) already merged into memory but not yet deleted by
     a write of ours: key -> the bytes merged, so a second look merges only what is new */
  #applied = new Map();
  #rev = null; /* their revision (null: nothing stored) */
  #writer = newRevision(); /* tells our own change notes from other tabs' */
  #unwatch = null;
  #unhide = null;
  #retries = 0;
  #blockedReported = false; /* storage_blocked is reported once until storage works again */
  #platformContext = {};
  #rules = callRules({}); /* what the config says about arguments (see args.js) */
  /** False: the wasm engine runs (the fallback engine sets it true, with degradedReason). */
  degraded = false;
  degradedReason = null;

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
    let fallback = null;
    const early = [];
    /* adapters report problems they find on their own (a blocked upgrade) through this */
    opts.onStorageError = (err) => (engine ? engine.#report(err) : fallback ? fallback.emitError(err) : early.push(err));
    /* before the wasm: even the fallback must be able to delete a profile stored earlier */
    const storage = resolveStorage(opts.storage, platform, opts);
    /* the wasm and the catalog are fetched at the same time: a cold start waits for the slower */
    const catalogSource = platform.readCatalog(opts.catalog);
    catalogSource.catch(() => {}); /* awaited below; a failure is reported there */
    let core;
    try {
      core = new Core(await platform.loadModule(opts.wasm, opts.wasmIntegrity));
    } catch (err) {
      /* the page still gets content: a fallback that ranks by popularity and stores nothing */
      const cause = err instanceof AttuneError ? err
        : new AttuneError(JS_CODES.WASM, `attune.wasm could not be loaded or compiled (${err?.message ?? err}); ` +
          'showing items by popularity, storing nothing', { cause: err });
      fallback = new FallbackEngine(await catalogSource, opts.config, cause.message,
        { storage, profileId: opts.profileId, now: opts.now });
      for (const [name, fn] of Object.entries(opts.on ?? {})) fallback.on(name, fn);
      setTimeout(() => fallback.emitError(cause), 0); /* listeners attached right after this resolves hear it */
      return fallback;
    }
    engine = new Engine(core, storage, opts);
    engine.#platformContext = platform.context?.() ?? {};
    for (const err of early) engine.#report(err);
    try {
      const now = engine.#time();
      const config = typeof opts.config === 'string' ? opts.config : toJSON(opts.config ?? {}, 'config', 'bad_config');
      core.withInputs([config], (p, n) => core.check(core.x.att_configure(core.h, p, n, now)));
      engine.config = core.resultJSON();
      engine.#rules = callRules(engine.config);
      const catalog = await catalogSource;
      core.withInputs([catalog], (p, n) => core.check(core.x.att_load_catalog(core.h, p, n, now)));
      engine.catalogInfo = core.resultJSON();
      core.takeDirty();
      await engine.#load(platform);
    } catch (err) {
      engine.#closed = true; /* a note from another tab or a pagehide must find it closed */
      engine.#unwatch?.();
      engine.#unhide?.();
      core.free();
      storage.close?.();
      throw err;
    }
    engine.#creating = false;
    return engine;
  }

  /* --- internals ---------------------------------------------------------------------- */

  #time() {
    return clockTime(this.#now);
  }

  #live() {
    if (this.#closed) throw new AttuneError(JS_CODES.CLOSED, 'this engine is closed; create a new one');
    return this.#core;
  }

  /**
   * Runs a core call.  Whatever happens to the call, a change it made first (retention found
   * expired data) is saved and announced.
   */
  #call(reason, fn) {
    const core = this.#live();
    try {
      return fn(core);
    } finally {
      if (core.takeDirty()) this.#changed(reason);
    }
  }

  #changed(reason) {
    if (this.#core.level() > 0) this.#request('save');
    this.#emit('change', { reason, level: this.level });
  }

  #emit(name, detail) {
    this.#listeners.emit(name, detail);
  }

  /** Reports a problem to 'error' listeners (after creation, so listeners attached then hear it). */
  #report(err) {
    if (err?.code === 'storage_blocked') {
      if (this.#blockedReported) return err;
      this.#blockedReported = true;
    }
    if (this.#creating) setTimeout(() => this.#emit('error', err), 0);
    else this.#emit('error', err);
    return err;
  }

  /** Reads the stored profile at start-up; damaged data is set aside, newer data left alone. */
  async #load(platform) {
    const core = this.#core;
    let stored;
    if (typeof this.#storage.watch === 'function') {
      this.#unwatch = this.#storage.watch(this.#profileId, (note) => this.#onNote(note));
    }
    this.#unhide = platform.onLeave?.(() => this.#stash()) ?? null;
    try {
      stored = normaliseStored(await this.#storage.load(this.#profileId));
    } catch (err) {
      if (err?.code === 'storage_blocked') {
        /* another tab holds an older database: start in memory; the first write that gets
           through merges the stored profile in (three ways, from an empty base) */
        this.#report(err);
        return;
      }
      this.#readOnly = true; /* we could not read it, so we must not overwrite it */
      this.#report(asStorageError(err, 'could not read the stored profile; working in memory only'));
      return;
    }
    /* a level that stores things will write soon: have storage open before the page can act,
       so that even the blind write of a page closing right away finds it open (a first visit
       creates the database here; level none never creates anything) */
    if (core.level() > 0) await this.#storage.warm?.();
    if (!stored.bytes && !stored.pending.length) return;
    try {
      if (stored.bytes) core.withInputs([stored.bytes], (p, n) => core.check(core.x.att_restore(core.h, p, n, this.#time())));
    } catch (err) {
      if (!(err instanceof AttuneError)) throw err;
      if (err.code === 'newer_version') {
        this.#readOnly = true; /* never overwrite data a newer version wrote */
      } else {
        await this.#storage.quarantine?.(this.#profileId, stored.bytes).catch(() => {});
      }
      this.#report(err);
      return;
    }
    this.#base = stored.bytes;
    this.#rev = stored.rev;
    /* retention, level limits or configuration changes trimmed it: rewrite the stored copy */
    const trimmed = core.takeDirty();
    /* what closed tabs left pending joins in; the write consumes it */
    const merged = this.#applyPending(stored.pending);
    if (trimmed || merged) await this.#persist('save');
  }

  /**
   * Applies each pending snapshot's changes since its base (three-way), or, for one merged
   * before and not yet consumed by a write of ours, only what changed in it since.  Returns
   * how many were applied.
   */
  #applyPending(pending) {
    const core = this.#core;
    let n = 0;
    for (const p of pending) {
      const prev = this.#applied.get(p.key);
      if (prev && sameBytes(prev, p.bytes)) continue;
      try {
        core.withInputs([prev ?? p.base, p.bytes], (bp, bl, tp, tl) =>
          core.check(core.x.att_merge(core.h, bp, bl, tp, tl, this.#time())));
        this.#applied.set(p.key, p.bytes);
        n++;
      } catch (err) {
        if (!(err instanceof AttuneError)) throw err;
        this.#report(err); /* a damaged or newer pending snapshot is dropped with the others */
      }
    }
    core.takeDirty();
    return n;
  }

  /**
   * The page is leaving (a navigation started, the page was hidden, or pagehide): a normal
   * write needs callbacks that may never run, so hand the snapshot and its base to the
   * adapter's stash, one blind put that the next load or any tab's next write merges in.
   * Skipped when nothing was asked to be written since the last stash; made also when a
   * write is still in flight, which the page may not live to see commit.
   */
  #stash() {
    if (this.#closed || this.#readOnly) return;
    if (!(this.#want || this.#timer !== null || this.#writing) || this.#stashedAt === this.#requests) return;
    if (typeof this.#storage.stash !== 'function' || this.#want === 'remove' || this.#core.level() === 0) {
      this.#persist();
      return;
    }
    const core = this.#core;
    try {
      core.check(core.x.att_snapshot(core.h, this.#time()));
      const bytes = core.resultBytes();
      this.#storage.stash(this.#profileId, this.#writer, this.#base, bytes)
        .catch((err) => this.#report(asStorageError(err, 'could not save the profile as the page closed')));
      this.#stashed = bytes;
      this.#stashedAt = this.#requests;
    } catch (err) {
      this.#report(asStorageError(err, 'could not save the profile as the page closed'));
    }
  }

  /** Our stash is gone from storage, merged or deleted: forget it. */
  #stashSettled() {
    this.#stashed = null;
    this.#stashedAt = -1;
  }

  /** Another tab changed the stored profile: merge it in (ours stays, theirs joins). */
  #onNote(note) {
    if (this.#closed || note.from === this.#writer || note.rev === this.#rev) return;
    const core = this.#core;
    if (note.level === 'none' && core.level() !== 0) {
      /* the user chose to store nothing in another tab: honour it here too */
      core.check(core.x.att_set_level(core.h, 0, this.#time()));
      core.takeDirty();
      this.#want = null;
      this.#base = null;
      this.#rev = null;
      this.#stashSettled(); /* the deletion took every pending snapshot with it */
      this.#emit('change', { reason: 'sync', level: this.level });
      return;
    }
    if (this.#stashed) {
      /* with a stash of ours out, only a write can tell (atomically) whether that tab merged it */
      this.#persist('save');
      return;
    }
    this.#enqueue(async () => {
      if (this.#closed || this.#readOnly) return;
      const stored = normaliseStored(await this.#storage.load(this.#profileId));
      if (stored.rev === this.#rev) return;
      this.#merge(stored);
      this.#emit('change', { reason: 'sync', level: this.level });
    }).catch((err) => this.#report(asStorageError(err, 'could not read another tab\'s changes')));
  }

  /** Three-way merge of a stored profile into memory. */
  #merge(stored) {
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
      this.#report(err); /* theirs is damaged: ours replaces it */
    }
    core.takeDirty();
    this.#base = stored.bytes;
    this.#rev = stored.rev;
  }

  #enqueue(op) {
    const p = this.#queue.then(op, op);
    this.#queue = p.catch(() => {});
    return p;
  }

  /** Asks for a write soon (debounced); 'remove' wins over 'save' until it is done. */
  #request(what, delay = this.#saveDelay) {
    if (this.#readOnly || this.#closed && what === 'save') return;
    if (this.#want !== 'remove') this.#want = what;
    this.#requests++;
    this.#storage.warm?.(); /* open storage now, so the write (even at pagehide) starts at once */
    if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#persist();
      }, delay);
    }
  }

  /**
   * Brings storage in step with memory now: writes the snapshot or deletes the record.  With
   * an adapter that can sync, the write happens under the profile's lock and another tab's
   * newer profile is merged in first, so neither tab loses anything.  Resolves either way;
   * a failure is reported and retried with back-off.
   */
  #persist(what) {
    if (what) {
      this.#want = this.#want === 'remove' ? 'remove' : what;
      this.#requests++;
    }
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    return this.#enqueue(async () => {
      const want = this.#want;
      if (!want || this.#readOnly) return;
      this.#want = null;
      this.#writing = true;
      try {
        if (want === 'remove' || this.#core.level() === 0) await this.#writeRemove();
        else await this.#writeSave();
        this.#retries = 0;
        this.#blockedReported = false;
      } catch (err) {
        if (!this.#want) this.#want = want;
        if (this.#readOnly) {
          this.#want = null;
        } else {
          this.#request(this.#want, RETRY_DELAYS[Math.min(this.#retries++, RETRY_DELAYS.length - 1)]);
        }
        this.#report(asStorageError(err, want === 'remove'
          ? 'could not delete the stored profile; it will be retried'
          : 'could not save the profile; it is kept in memory and saving will be retried'));
      } finally {
        this.#writing = false;
      }
    });
  }

  async #writeSave() {
    const core = this.#core;
    let written = null;
    const produce = (stored) => {
      /* another tab merged our stash in: storage holds our changes up to it */
      if (this.#stashed && stored.ownStash === false) this.#base = this.#stashed;
      if (stored.rev !== this.#rev) this.#merge(stored);
      this.#applyPending(stored.pending ?? []);
      if (core.level() === 0) return undefined;
      core.check(core.x.att_snapshot(core.h, this.#time()));
      core.takeDirty();
      written = core.resultBytes();
      return written;
    };
    if (typeof this.#storage.sync === 'function') {
      const { rev } = await this.#storage.sync(this.#profileId, produce, { from: this.#writer, reason: 'save' });
      if (written) {
        this.#base = written;
        this.#rev = rev;
        this.#stashSettled(); /* the write deleted it, or found it merged */
        this.#applied.clear(); /* and deleted the pending snapshots it merged */
      }
    } else {
      const bytes = produce({ bytes: this.#base, rev: this.#rev });
      if (bytes) await this.#storage.save(this.#profileId, bytes);
      this.#base = bytes;
    }
  }

  async #writeRemove() {
    if (typeof this.#storage.sync === 'function') {
      await this.#storage.sync(this.#profileId, () => null, { from: this.#writer, reason: 'remove', level: this.level });
    } else {
      await this.#storage.remove(this.#profileId);
    }
    this.#base = null;
    this.#rev = null;
    this.#stashSettled(); /* a deletion takes the pending snapshots with it */
    this.#applied.clear();
  }

  #context(context, what, now) {
    return toJSON(contextOf(context, what, this.#rules, now, this.#platformContext), `${what}: context`);
  }

  /** att_track with the random event id the merge of profiles needs. */
  #track(core, item, type, at, value, ctx, now) {
    core.withInputs([item, ctx], (ip, il, cp, cl) =>
      core.check(core.x.att_track(core.h, ip, il, type, at, value, randomId(), cp, cl, now)));
  }

  #read(fn, reason = 'expired') {
    return this.#call(reason, (core) => {
      core.check(core.x[fn](core.h, this.#time()));
      return core.resultJSON();
    });
  }

  /* --- public API ---------------------------------------------------------------------- */

  /** The current personalization level. */
  get level() {
    return this.#core.constants.levels[this.#core.level()];
  }

  /** Declares traits: { name: value | null }.  Only traits declared in config.traits. */
  async setTraits(traits) {
    this.#live();
    const text = traitsJSON(traits, this.#rules);
    this.#call('traits', (core) => core.withInputs([text], (p, n) => core.check(core.x.att_set_traits(core.h, p, n, this.#time()))));
  }

  /** Records an interaction: { item, type, at?, value? }. */
  async track(event, context) {
    this.#live();
    const now = this.#time();
    const { item, type, at, value } = eventOf(event, this.#rules, now);
    /* a back-dated interaction happened at its own hour and weekday, not at the clock's */
    const ctx = this.#context(context, 'track', Number.isNaN(at) ? now : at);
    this.#call('track', (core) => this.#track(core, item, type, at, value, ctx, now));
  }

  /** Ranks the catalog: [{ id, score, reasons, editorial? }]. */
  recommend(options) {
    this.#live();
    const now = this.#time();
    const o = recommendOptions(options, this.#rules, now, this.#platformContext);
    const text = toJSON({ ...o, seed: o.seed ?? Math.floor(this.#random() * 2 ** 53) }, 'recommend');
    return this.#call('expired', (core) => {
      core.withInputs([text], (p, n) => core.check(core.x.att_recommend(core.h, p, n, now)));
      return core.resultJSON();
    });
  }

  /**
   * Logs that these recommendations (or ids) were displayed: one impression each, credited to
   * the position they were ranked at.  The individual level learns from impressions and clicks.
   */
  async shown(items, context) {
    this.#live();
    const now = this.#time();
    const ids = shownIds(items);
    const ctx = this.#context(context, 'shown', now);
    this.#call('track', (core) => {
      for (const id of ids) this.#checkInCatalog(core, id, now); /* all or nothing */
      for (const id of ids) this.#track(core, id, IMPRESSION, NaN, NaN, ctx, now);
    });
  }

  /**
   * Throws unknown_item unless `id` is in the catalog, recording nothing: att_track looks the
   * item up before anything else can fail, and refuses type -1 before it changes anything.
   */
  #checkInCatalog(core, id, now) {
    try {
      core.withInputs([id], (p, n) => core.check(core.x.att_track(core.h, p, n, -1, NaN, NaN, 0, 0, 0, now)));
    } catch (err) {
      if (err?.code !== JS_CODES.ARG) throw err;
    }
  }

  /** Why an item scores what it scores: contributions that add up to the score. */
  explain(itemId, context) {
    this.#live();
    const now = this.#time();
    checkKey(itemId, LIMITS.idBytes, 'explain: item');
    const ctx = this.#context(context, 'explain', now);
    return this.#call('expired', (core) => {
      core.withInputs([itemId, ctx], (ip, il, cp, cl) => core.check(core.x.att_explain(core.h, ip, il, cp, cl, now)));
      return core.resultJSON();
    });
  }

  /** The local segment label (never randomised; it stays on the device). */
  segment() {
    return this.#call('expired', (core) => {
      core.check(core.x.att_segment(core.h, this.#time()));
      return core.resultText();
    });
  }

  /** Exactly what may be sent to a server: { segment } or null at level none. */
  serverPayload() {
    this.#live();
    const seed = Math.floor(this.#random() * 2 ** 53);
    return this.#call('label', (core) => {
      core.check(core.x.att_server_payload(core.h, seed, this.#time()));
      return core.resultJSON();
    });
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

  /** Changes the level; a downgrade deletes at once, in memory and in storage. */
  async setPrivacyLevel(level) {
    this.#live();
    const l = levelIndex(level, this.#rules);
    const core = this.#core;
    const before = core.level();
    try {
      core.check(core.x.att_set_level(core.h, l, this.#time()));
    } finally {
      core.takeDirty();
    }
    this.#emit('change', { reason: 'level', level: this.level });
    if (l === 0) await this.#persist('remove');
    else if (l < before) await this.#persist('save'); /* a downgrade reaches storage at once */
    else this.#request('save'); /* the choice itself is stored */
  }

  /** Blocks a tag or an item: blocked content never ranks. */
  async block(target) {
    this.#block(target, 1, 'block');
  }

  /** Lifts a block set with block(). */
  async unblock(target) {
    this.#block(target, 0, 'unblock');
  }

  #block(target, on, what) {
    this.#live();
    const { kind, key } = blockTarget(target, what);
    this.#call(what, (core) => core.withInputs([key], (p, n) => core.check(core.x.att_block(core.h, kind, p, n, on, this.#time()))));
  }

  /** The profile as human-readable, versioned JSON (an object). */
  async export() {
    return this.#read('att_export');
  }

  /** Replaces the profile with an export (object or JSON text); refuses damaged or newer data. */
  async import(data) {
    this.#live();
    const text = importJSON(data);
    this.#call('import', (core) => core.withInputs([text], (p, n) => core.check(core.x.att_import(core.h, p, n, this.#time()))));
    await this.#persist(this.#core.level() === 0 ? 'remove' : 'save');
  }

  /** Deletes the whole profile, in memory and in storage. */
  async forget() {
    const core = this.#live();
    core.check(core.x.att_forget(core.h));
    core.takeDirty();
    this.#emit('change', { reason: 'forget', level: this.level });
    await this.#persist('remove');
  }

  /**
   * Writes what is pending now.  Resolves once storage is in step or the attempt failed (the
   * failure goes to 'error' listeners and is retried).
   */
  async flush() {
    if (this.#closed) return this.#queue;
    if (this.#timer !== null || this.#want) return this.#persist();
    return this.#queue;
  }

  /**
   * Listens for 'change' ({ reason, level }) or 'error' (AttuneError).  Returns a function that
   * removes the listener.
   */
  on(name, fn) {
    return this.#listeners.on(name, fn);
  }

  /** Writes what is pending, then releases the engine.  Later calls throw 'closed'. */
  close() {
    if (this.#closed) return;
    const done = this.#timer !== null || this.#want ? this.#persist() : this.#queue;
    this.#closed = true;
    done.finally(() => {
      this.#unwatch?.();
      this.#unhide?.();
      this.#core.free();
      this.#storage.close?.();
    });
  }
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Adapters return bytes, { bytes, rev } or null from load(). */
function normaliseStored(stored) {
  if (stored === null || stored === undefined) return { bytes: null, rev: null, pending: [] };
  if (stored instanceof Uint8Array) return { bytes: stored, rev: null, pending: [] };
  if (stored.bytes === null || stored.bytes instanceof Uint8Array) {
    return { bytes: stored.bytes, rev: stored.rev ?? null, pending: stored.pending ?? [] };
  }
  throw new AttuneError(JS_CODES.STORAGE, 'the storage adapter returned something other than bytes from load()');
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
  if (o.persist !== undefined && typeof o.persist !== 'boolean') throw badArgument('createEngine: persist must be true or false');
  if (o.wasmIntegrity !== undefined && typeof o.wasmIntegrity !== 'string' && !isPlainObject(o.wasmIntegrity)) {
    throw badArgument(`createEngine: wasmIntegrity must be an SRI value or integrity.json's object, got ${describe(o.wasmIntegrity)}`);
  }
  return o;
}
