// The wasm heap: results stay correct when the memory grows inside a call (the glue re-takes
// its views of wasm memory), and a long run of track/recommend keeps the heap from growing.
// The engine's Core is private, so the heap is measured on a Core from js/wasm.js driven with
// the calls engine.js makes (att_configure, att_load_catalog, att_track, att_recommend, plus
// att_take_dirty after each change as the engine does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Core, hasSimd } from '../../js/wasm.js';
import { packCatalog } from '../../js/node.js';
import { createEngine, makeCatalog, makeClock, seeded, itemId, MemoryStorage, T0, DAY } from './helpers.js';

const WASM = new URL(hasSimd() ? '../../dist/attune.wasm' : '../../dist/attune-scalar.wasm', import.meta.url);
const EVENTS = ['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression'];
const module = WebAssembly.compile(await readFile(WASM));

/** A Core with helpers that make the same calls as engine.js. */
async function core() {
  const c = new Core(await module);
  return {
    c,
    memory: () => c.x.memory.buffer.byteLength,
    configure(config, now) {
      c.withInputs([JSON.stringify(config)], (p, n) => c.check(c.x.att_configure(c.h, p, n, now)));
      c.takeDirty();
    },
    /** Loads a catalog; returns the memory size once the input was copied in (before the call). */
    loadCatalog(bytes, now) {
      let before = 0;
      c.withInputs([bytes], (p, n) => {
        before = c.x.memory.buffer.byteLength;
        return c.check(c.x.att_load_catalog(c.h, p, n, now));
      });
      c.takeDirty();
      return { before, info: c.resultJSON() };
    },
    track(item, type, context, id, now) {
      c.withInputs([item, JSON.stringify(context)], (ip, il, cp, cl) =>
        c.check(c.x.att_track(c.h, ip, il, EVENTS.indexOf(type), NaN, NaN, id, cp, cl, now)));
      c.takeDirty();
    },
    recommend(options, now) {
      c.withInputs([JSON.stringify(options)], (p, n) => c.check(c.x.att_recommend(c.h, p, n, now)));
      c.takeDirty();
      return c.resultJSON();
    },
    read(fn, now) {
      c.check(c.x[fn](c.h, now));
      c.takeDirty();
      return c.resultJSON();
    },
  };
}

/** The 40-item catalog, then the same items followed by fillers that can never outrank them. */
const small = makeCatalog({ n: 40, seed: 5, published: false });
function large(n) {
  const items = [...small.items];
  for (let i = items.length; i < n; i++) items.push({ id: `filler-${i}`, tags: ['filler'], category: 'filler', popularity: 0 });
  return { version: 1, items };
}

/* diversity re-ranks over the candidate pool, which fillers join in the large catalog: off, so
   that both catalogs must rank the real items identically */
const CONFIG = { privacyLevel: 'behavioral', ranking: { diversity: 0 } };
const CONTEXT = { hour: 10, weekday: 1, device: 'desktop' };
const CLICKED = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27];

test('the wasm memory grows inside att_load_catalog and every later result is still right', async () => {
  const k = await core();
  k.configure(CONFIG, T0);
  k.loadCatalog(packCatalog(small), T0);
  CLICKED.forEach((i, n) => k.track(itemId(i), n % 3 ? 'click' : 'like', CONTEXT, n + 1, T0));
  const before = {
    recommend: k.recommend({ k: 10, seed: 7, context: CONTEXT }, T0),
    export: k.read('att_export', T0),
    inventory: k.read('att_inventory', T0),
  };
  assert.equal(before.recommend.length, 10);
  assert.equal(before.export.history.length, CLICKED.length);

  const stale = k.c.bytes(); /* a view taken before the growth */
  const { before: sizeBefore, info } = k.loadCatalog(packCatalog(large(50_000)), T0);
  const sizeAfter = k.memory();
  assert.ok(sizeAfter > sizeBefore, `the heap was meant to grow inside att_load_catalog (${sizeBefore} -> ${sizeAfter} bytes)`);
  assert.equal(stale.byteLength, 0, 'growth detaches old views; the glue must not keep any');
  assert.equal(info.items, 50_000, 'the catalog summary was read from the grown memory');

  const after = {
    recommend: k.recommend({ k: 10, seed: 7, context: CONTEXT }, T0),
    export: k.read('att_export', T0),
    inventory: k.read('att_inventory', T0),
  };
  assert.deepEqual(after.recommend, before.recommend, 'the same profile ranks the same items the same way');
  assert.deepEqual(after.export, before.export, 'the profile survived the catalog swap intact');
  assert.deepEqual(after.inventory, before.inventory);
  /* and the large catalog is really in use */
  const fillers = k.recommend({ k: 5, seed: 1, filter: { tags: ['filler'] }, context: CONTEXT }, T0);
  assert.equal(fillers.length, 5);
  assert.ok(fillers.every((r) => r.id.startsWith('filler-')));
  assert.equal(k.memory(), sizeAfter, 'nothing after the load needed more memory');
});

test('an engine whose heap grew while loading a 50,000-item catalog behaves like one on the small catalog', async () => {
  const run = async (catalog) => {
    const clock = makeClock();
    const engine = await createEngine({ catalog, config: CONFIG, now: clock.now });
    for (const [n, i] of CLICKED.entries()) {
      await engine.track({ item: itemId(i), type: n % 3 ? 'click' : 'like' }, CONTEXT);
    }
    clock.advance(DAY);
    const out = {
      info: engine.catalogInfo,
      recommend: engine.recommend({ k: 10, seed: 7, context: CONTEXT }),
      explain: engine.explain(itemId(1), CONTEXT),
      /* event ids are random per engine: compare everything else */
      export: { ...(await engine.export()), history: (await engine.export()).history.map(({ id, ...h }) => h) },
      inventory: engine.inventory(),
      segment: engine.segment(),
    };
    engine.close();
    return out;
  };
  const before = await run(small);
  const after = await run(large(50_000)); /* 1 MB of initial memory: this one grows several times */
  assert.equal(before.info.items, 40);
  assert.equal(after.info.items, 50_000);
  assert.deepEqual(after.recommend, before.recommend);
  assert.deepEqual(after.explain, before.explain);
  assert.deepEqual(after.export, before.export);
  assert.deepEqual(after.inventory, before.inventory);
  assert.equal(after.segment, before.segment);
});

/* 100,000 cycles take a few seconds here (well under the ~60 s budget) */
const CYCLES = 100_000;

test(`${CYCLES.toLocaleString('en')} track/recommend cycles leave the wasm heap where it was after 10,000`, async () => {
  const k = await core();
  const clock = makeClock(T0);
  const r = seeded(11);
  const n = 500;
  k.configure({ privacyLevel: 'individual', history: { size: 100, retentionDays: 30 } }, clock.t);
  k.loadCatalog(packCatalog(makeCatalog({ n, seed: 3, neighbors: 3 })), clock.t);
  /* where a 256 KB block lands: a leak pushes the allocator's high-water mark (and this) up */
  const probe = () => {
    const p = k.c.x.att_alloc(256 * 1024);
    assert.ok(p, 'att_alloc failed');
    k.c.x.att_dealloc(p);
    return p;
  };
  let at10k = null;
  for (let i = 1; i <= CYCLES; i++) {
    clock.advance(60_000); /* a minute per cycle: ~69 days in all, so retention (30 days) trims */
    const d = new Date(clock.t);
    /* now and then a dismissal, of one of 20 items: the dismissed set fills up within the first
       10,000 cycles instead of growing to exclude the whole catalog */
    const dismiss = i % 47 === 0;
    const type = dismiss ? 'dismiss' : EVENTS.filter((e) => e !== 'dismiss')[i % 6];
    k.track(itemId(Math.floor(r() * (dismiss ? 20 : n))), type, { hour: d.getUTCHours(), weekday: d.getUTCDay(), device: 'mobile' }, i, clock.t);
    if (i % 10 === 0) {
      const list = k.recommend({ k: 10, seed: i, context: { hour: d.getUTCHours(), weekday: d.getUTCDay() } }, clock.t);
      if (list.length !== 10) assert.fail(`cycle ${i}: recommend returned ${list.length} items, not 10`);
    }
    if (i === 10_000) at10k = { memory: k.memory(), probe: probe() };
  }
  const end = { memory: k.memory(), probe: probe() };
  assert.ok(end.memory <= at10k.memory, `wasm memory grew from ${at10k.memory} to ${end.memory} bytes between cycle 10,000 and ${CYCLES}`);
  assert.ok(end.probe <= at10k.probe, `the heap's high-water mark rose from ${at10k.probe} to ${end.probe}`);
  const exported = k.read('att_export', clock.t);
  assert.equal(exported.history.length, 100, 'the rolling window stays at history.size');
  assert.ok(exported.history.every((h) => Date.parse(h.at) > clock.t - 30 * DAY));
});

test(`${CYCLES.toLocaleString('en')} track/recommend cycles through the public Engine keep the wasm heap where it was after 10,000`, async () => {
  /* the engine keeps its wasm instance private: catch it as it is made */
  const Instance = WebAssembly.Instance;
  let wasm = null;
  WebAssembly.Instance = function (module, imports) {
    const instance = new Instance(module, imports);
    wasm = instance.exports;
    return instance;
  };
  const clock = makeClock(T0);
  let engine;
  try {
    engine = await createEngine({
      catalog: makeCatalog({ n: 500, seed: 3, neighbors: 3 }), now: clock.now, storage: new MemoryStorage(),
      config: { privacyLevel: 'individual', history: { size: 100, retentionDays: 30 } },
    });
  } finally {
    WebAssembly.Instance = Instance;
  }
  assert.ok(wasm, 'the engine made a wasm instance');
  const memory = () => wasm.memory.buffer.byteLength;
  const probe = () => { /* where a 256 KB block lands: a leak pushes it up */
    const p = wasm.att_alloc(256 * 1024);
    assert.ok(p, 'att_alloc failed');
    wasm.att_dealloc(p);
    return p;
  };
  const r = seeded(11);
  let at10k = null;
  for (let i = 1; i <= CYCLES; i++) {
    clock.advance(60_000); /* a minute per cycle: ~69 days in all, so retention trims */
    const d = new Date(clock.t);
    const context = { hour: d.getHours(), weekday: d.getDay(), device: 'mobile' };
    const dismiss = i % 47 === 0; /* of 20 items only, so enough stay eligible */
    await engine.track({ item: itemId(Math.floor(r() * (dismiss ? 20 : 500))), type: dismiss ? 'dismiss' : EVENTS[i % 5] }, context);
    if (i % 10 === 0) {
      const list = engine.recommend({ k: 10, seed: i, context });
      if (list.length !== 10) assert.fail(`cycle ${i}: recommend returned ${list.length} items, not 10`);
      if (i % 100 === 0) await engine.shown(list, context);
    }
    if (i % 1000 === 0) await engine.flush(); /* a snapshot saved now and then, as a page would */
    if (i === 10_000) at10k = { memory: memory(), probe: probe() };
  }
  const end = { memory: memory(), probe: probe() };
  assert.ok(end.memory <= at10k.memory, `wasm memory grew from ${at10k.memory} to ${end.memory} bytes after cycle 10,000`);
  assert.ok(end.probe <= at10k.probe, `the heap's high-water mark rose from ${at10k.probe} to ${end.probe}`);
  const exported = await engine.export();
  assert.equal(exported.history.length, 100, 'the rolling window stays at history.size');
  assert.ok(exported.history.every((h) => Date.parse(h.at) > clock.t - 30 * DAY));
  engine.close();
});
