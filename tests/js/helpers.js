/**
 * Shared fixtures for the node --test suites: a seeded catalog generator, a fake clock,
 * engines on a shared MemoryStorage (to simulate reloads), recording and failing storage
 * adapters, and assertion helpers for AttuneError codes and unchanged stored profiles.
 */
import assert from 'node:assert/strict';
import { createEngine, MemoryStorage, AttuneError } from '../../js/node.js';
/* a small seeded PRNG returning [0, 1): the demo catalog's, so every generator shares one */
import { prng as seeded } from '../../scripts/gen-catalog.mjs';

export { createEngine, MemoryStorage, AttuneError, seeded };

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Monday 5 January 2026, 12:00 UTC: far from day boundaries, so "day N" is unambiguous. */
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];

/** A fake clock: `clock.t` is the time; `clock.now` is what the engine gets. */
export function makeClock(start = T0) {
  const clock = {
    t: start,
    now: () => clock.t,
    advance(ms) {
      clock.t += ms;
      return clock.t;
    },
    days(n) {
      clock.t += n * DAY;
      return clock.t;
    },
    set(t) {
      clock.t = t;
      return t;
    },
  };
  return clock;
}

export const TAGS = ['ai', 'basics', 'advanced', 'cloud', 'security', 'design', 'data', 'mobile'];
export const CATEGORIES = ['tech', 'news', 'howto', 'opinion'];

/** Item id for index i: item-000, item-001, ... (fixed width so ids never prefix each other). */
export const itemId = (i) => `item-${String(i).padStart(3, '0')}`;

/**
 * A deterministic catalog.  Every item gets 1-3 tags from `tags`, a category, an integer
 * popularity and (when `published`) a publishedAt within the 60 days before `base`.
 */
export function makeCatalog({
  n = 40, seed = 1, tags = TAGS, categories = CATEGORIES, published = true, base = T0,
  neighbors = 0, titles = true,
} = {}) {
  const r = seeded(seed);
  const items = [];
  for (let i = 0; i < n; i++) {
    const count = 1 + Math.floor(r() * 3);
    const own = [];
    while (own.length < count) {
      const tag = tags[Math.floor(r() * tags.length)];
      if (!own.includes(tag)) own.push(tag);
    }
    const item = {
      id: itemId(i),
      tags: own,
      category: categories[Math.floor(r() * categories.length)],
      popularity: Math.floor(r() * 10000),
    };
    if (titles) item.title = `Article ${i}`;
    if (published) item.publishedAt = base - Math.floor(r() * 60 * DAY);
    items.push(item);
  }
  for (let i = 0; i < n && neighbors > 0; i++) {
    const nb = [];
    for (let k = 0; k < neighbors; k++) {
      const j = Math.floor(r() * n);
      if (j !== i && !nb.some(([id]) => id === itemId(j))) nb.push([itemId(j), Math.round(r() * 100) / 100]);
    }
    items[i].neighbors = nb;
  }
  return { version: 1, items };
}

/**
 * A catalog whose items all score the same at level none (same popularity, no dates), so
 * order and movement are easy to reason about.  `spec` is [[id, tags, category?], ...].
 */
export function flatCatalog(spec) {
  return {
    version: 1,
    items: spec.map(([id, tags, category]) => (category ? { id, tags, category } : { id, tags })),
  };
}

/**
 * Creates an engine.  Pass the same `storage` (and clock) again to simulate a reload.
 * Returns { engine, storage, clock }.
 */
export async function open({
  storage = new MemoryStorage(), clock = makeClock(), catalog = makeCatalog(), config, ...rest
} = {}) {
  const engine = await createEngine({ catalog, config, storage, now: clock.now, ...rest });
  return { engine, storage, clock, catalog, config, rest };
}

/**
 * The config with diversity re-ranking off, for tests about the order by score (diversity is
 * on by default from the behavioral level up and reorders lists; see diversity.test.js).
 */
export function scoreOrder(config = {}) {
  return { ...config, ranking: { diversity: 0, ...(config.ranking ?? {}) } };
}

/**
 * Simulates a reload: flushes and closes `ctx.engine`, then opens a new engine on the same
 * storage and clock (and, unless overridden, the same catalog, config and options).
 */
export async function reopen(ctx, overrides = {}) {
  await ctx.engine.flush();
  ctx.engine.close();
  await ctx.engine.flush(); /* resolves once the closing save, if any, is done */
  return open({ storage: ctx.storage, clock: ctx.clock, catalog: ctx.catalog, config: ctx.config, ...ctx.rest, ...overrides });
}

/** The stored snapshot after pending saves (a copy), or null. */
export async function storedBytes(engine, storage, profileId = 'default') {
  await engine.flush();
  return storage.peek(profileId);
}

/** Whether `bytes` contain the UTF-8 text `s` anywhere. */
export function bytesContain(bytes, s) {
  if (!bytes) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(s, 'utf8'));
}

/** An export without its exportedAt stamp, for comparisons. */
export async function exportBody(engine) {
  const { exportedAt, ...rest } = await engine.export();
  return rest;
}

/**
 * Runs fn (sync or async) and asserts it fails with an AttuneError of `code`.  When
 * `mentions` is given, the message must contain each of those strings.  Returns the error.
 */
export async function expectCode(fn, code, ...mentions) {
  let err = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected an AttuneError with code ${code}, but the call succeeded`);
  assert.ok(err instanceof AttuneError, `expected an AttuneError with code ${code}, got ${err?.name}: ${err?.message}`);
  assert.equal(err.code, code, `wrong code; message: ${err.message}`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, 'the error message is empty');
  for (const m of mentions) assert.ok(err.message.includes(m), `message should mention ${JSON.stringify(m)}: ${err.message}`);
  return err;
}

/**
 * Asserts that fn fails with `code` and leaves the profile exactly as it was: the same
 * export (apart from exportedAt) and the same stored bytes.
 */
export async function expectRejectedUnchanged(engine, storage, fn, code, profileId = 'default') {
  const bytesBefore = await storedBytes(engine, storage, profileId);
  const exportBefore = await exportBody(engine);
  const err = await expectCode(fn, code);
  const bytesAfter = await storedBytes(engine, storage, profileId);
  assert.deepEqual(bytesAfter, bytesBefore, `stored profile changed after a rejected call (${code})`);
  assert.deepEqual(await exportBody(engine), exportBefore, `profile changed after a rejected call (${code})`);
  return err;
}

/** A storage adapter over a MemoryStorage that records every call. */
export function recordingStorage(inner = new MemoryStorage()) {
  const calls = [];
  return {
    calls,
    inner,
    async load(id) {
      calls.push({ op: 'load', id });
      return inner.load(id);
    },
    async save(id, bytes) {
      calls.push({ op: 'save', id });
      return inner.save(id, bytes);
    },
    async remove(id) {
      calls.push({ op: 'remove', id });
      return inner.remove(id);
    },
    async quarantine(id, bytes) {
      calls.push({ op: 'quarantine', id });
      return inner.quarantine(id, bytes);
    },
    peek: (id) => inner.peek(id),
    writes: () => calls.filter((c) => c.op !== 'load'),
  };
}

/** A storage adapter whose operations fail while `failing[op]` is true. */
export function flakyStorage(inner = new MemoryStorage()) {
  const failing = { load: false, save: false, remove: false };
  return {
    failing,
    inner,
    async load(id) {
      if (failing.load) throw new Error('disk unreadable');
      return inner.load(id);
    },
    async save(id, bytes) {
      if (failing.save) throw new Error('quota exceeded');
      return inner.save(id, bytes);
    },
    async remove(id) {
      if (failing.remove) throw new Error('disk unwritable');
      return inner.remove(id);
    },
    peek: (id) => inner.peek(id),
  };
}

/** An object nested `depth` levels deep ({ a: { a: ... } }), built without recursion. */
export function deepObject(depth) {
  const root = {};
  let cur = root;
  for (let i = 1; i < depth; i++) {
    cur.a = {};
    cur = cur.a;
  }
  return root;
}

/** JSON text nested `depth` arrays deep. */
export function deepJSON(depth) {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Resolves with the next event `name` of `engine`. */
export function nextEvent(engine, name) {
  return new Promise((resolve) => {
    const off = engine.on(name, (detail) => {
      off();
      resolve(detail);
    });
  });
}

/** Lets pending 0 ms timers (deferred start-up errors, debounced saves) run. */
export function macrotask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/* --- snapshot bytes ------------------------------------------------------------------------ */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as used by snapshots. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The header fields of a snapshot. */
export function snapshotHeader(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    magic: String.fromCharCode(...bytes.subarray(0, 4)),
    version: v.getUint16(4, true),
    flags: v.getUint16(6, true),
    length: v.getUint32(8, true),
    crc: v.getUint32(12, true),
  };
}

/** A copy of `bytes` with the payload checksum recomputed (for crafted but "valid" damage). */
export function withFreshChecksum(bytes) {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(12, crc32(out.subarray(16)), true);
  return out;
}

/** The snapshot and export format versions this engine writes. */
export const SNAPSHOT_VERSION = 2;
export const EXPORT_VERSION = 2;

/**
 * A version-2 snapshot rewritten as version 1: no model section (10), and a label section (9)
 * holding one (truth, reported) pair instead of a counted list.
 */
export function asVersion1(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = [bytes.subarray(0, 16)];
  let pos = 16;
  while (pos < bytes.length) {
    const tag = bytes[pos];
    const len = v.getUint32(pos + 1, true);
    const body = bytes.subarray(pos + 5, pos + 5 + len);
    pos += 5 + len;
    if (tag === 10) continue;
    if (tag === 9) {
      const n = body[4];
      const rest = body.subarray(5 + 4 * n);
      const one = new Uint8Array(4 + 4 + rest.length);
      one.set(body.subarray(0, 4));
      if (n > 0) one.set(body.subarray(5, 9), 4);
      one.set(rest, 8);
      const head = new Uint8Array(5);
      head[0] = 9;
      new DataView(head.buffer).setUint32(1, one.length, true);
      parts.push(head, one);
      continue;
    }
    parts.push(bytes.subarray(pos - 5 - len, pos));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  const w = new DataView(out.buffer);
  w.setUint16(4, 1, true);
  w.setUint32(8, out.length - 16, true);
  w.setUint32(12, crc32(out.subarray(16)), true);
  return out;
}

/** A copy of `bytes` claiming a newer format version. */
export function withVersion(bytes, version) {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint16(4, version, true);
  return out;
}

/* --- tiny hand-made wasm modules ---------------------------------------------------------- */

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function section(id, body) {
  return [id, ...leb(body.length), ...body];
}

function name(s) {
  const b = [...Buffer.from(s, 'utf8')];
  return [...leb(b.length), ...b];
}

/**
 * A wasm module exporting functions that take no arguments: `fns` is [[name, i32 result or
 * null for no result], ...].  `imports` ([[module, field], ...]) adds imported () -> ()
 * functions the module needs to be instantiated.
 */
export function tinyWasm(fns, imports = []) {
  const types = [0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x00]; /* () -> i32, () -> () */
  const imps = [...leb(imports.length)];
  for (const [m, f] of imports) imps.push(...name(m), ...name(f), 0x00, 0x01);
  const funcs = [...leb(fns.length), ...fns.map(([, r]) => (r === null ? 1 : 0))];
  const exports = [...leb(fns.length)];
  fns.forEach(([n], i) => exports.push(...name(n), 0x00, ...leb(imports.length + i)));
  const bodies = [...leb(fns.length)];
  for (const [, r] of fns) {
    const code = r === null ? [0x00, 0x0b] : [0x00, 0x41, ...sleb(r), 0x0b];
    bodies.push(...leb(code.length), ...code);
  }
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types), ...(imports.length ? section(2, imps) : []), ...section(3, funcs),
    ...section(7, exports), ...section(10, bodies),
  ]);
}

function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
