// attune-eval's replay (tools/eval/runner.mjs) at the points where a ranking can come back
// short: exclusions beyond the engine's per-call limit, an engine that returns fewer items
// than asked, and sampled negatives when the candidates are a small share of the catalog.
// The engine is a stand-in whose ranking is known, so every expected list is computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runner, SHORT_NONE, SHORT_LIST, SHORT_TOP_K } from '../../tools/eval/runner.mjs';
import { EVENT_TYPES } from '../../tools/eval/data.mjs';

const T = 1.8e12;
const CLICK = EVENT_TYPES.indexOf('click');

/**
 * A catalog of n items "i0".."i{n-1}"; items from `firstFuture` on are published after T (in
 * id order), the others always.  One user with one held-out click on `target` at T.
 */
function world(n, firstFuture, target, { k = 10, sampled = 0 } = {}) {
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const published = Float64Array.from(ids, (_, i) => (i >= firstFuture ? T + 1 + i : -Infinity));
  const runner = new Runner({ catalogText: '', ids, published, config: {}, levels: ['none'], tune: null, k, sampled, seed: 1, utcOffset: 0 });
  const shard = {
    n: 1, first: 0, off: Int32Array.from([0, 1]), item: Int32Array.from([target]), time: Float64Array.from([T]),
    type: Uint8Array.from([CLICK]), device: Int8Array.from([-1]), traits: [null], names: ['u'],
  };
  return { ids, runner, shard };
}

/**
 * A stand-in engine ranking items by `order` (ids, best first), honouring `exclude`, returning
 * at most `cap(k)` items; it records the k of every call.
 */
function fakeEngine(order, cap = (k) => k) {
  const calls = [];
  const engine = {
    level: 'none',
    recommend({ k, exclude }) {
      calls.push(k);
      const ex = new Set(exclude);
      return order.filter((id) => !ex.has(id)).slice(0, cap(k)).map((id) => ({ id, score: 0 }));
    },
  };
  return { e: { engine, clock: { t: 0 }, level: 'none' }, calls };
}

test('a ranking the engine answers short is asked again at k 1000 and then comes back full', async () => {
  /* 30 items, none future; the engine returns only 4 items unless asked for its maximum */
  const { ids, runner, shard } = world(30, 30, 7);
  const { e, calls } = fakeEngine([...ids].reverse(), (k) => (k < 1000 ? 4 : k));
  const r = await runner.rank(e, shard, 0, 0, 0, false);
  assert.deepEqual(calls, [10, 1000]);
  assert.equal(r.list.length, 10);
  assert.equal(r.short, SHORT_NONE);
  assert.deepEqual(r.list.slice(0, 3), [29, 28, 27]);
  assert.equal(r.rank, null, 'item 7 is 23rd: not in the top 10');
});

test('a ranking still short at k 1000 is flagged, and a complete one is not asked twice', async () => {
  const { ids, runner, shard } = world(30, 30, 7);
  const capped = fakeEngine(ids, () => 3);
  const r = await runner.rank(capped.e, shard, 0, 0, 0, true);
  assert.deepEqual(capped.calls, [30, 1000]);
  assert.deepEqual(r.list, [0, 1, 2]);
  assert.equal(r.short, SHORT_TOP_K, 'fewer than the top 10: HR and NDCG are cut too');

  const full = fakeEngine(ids);
  const ok = await runner.rank(full.e, shard, 0, 0, 0, true);
  assert.deepEqual(full.calls, [30]);
  assert.equal(ok.list.length, 30);
  assert.equal(ok.rank, 8);
  assert.equal(ok.short, SHORT_NONE);
});

test('exclusions beyond the engine\'s 10,000 that fill the top 1000 leave the list short, and that is flagged', async () => {
  /* 5 candidates (i0..i4); every later item is published after T.  Only the first 10,000 future
     items fit in `exclude`; the rest are filtered after the engine ranks, and the stand-in ranks
     the latest-published first, so they come back on top. */
  /* 10,995 future items: 995 filtered, k = 5 + 995 = 1000 still leaves room for i4..i0 */
  const a = world(11000, 5, 3);
  const fa = fakeEngine([...a.ids].reverse());
  const ra = await a.runner.rank(fa.e, a.shard, 0, 0, 0, true);
  assert.equal(ra.candidates, 5);
  assert.deepEqual(fa.calls, [1000]);
  assert.deepEqual(ra.list, [4, 3, 2, 1, 0]);
  assert.equal(ra.rank, 2);
  assert.equal(ra.short, SHORT_NONE);

  /* 11,095 future items: 1,095 filtered, more than the engine's 1000 can get past */
  const b = world(11100, 5, 3);
  const fb = fakeEngine([...b.ids].reverse());
  const rb = await b.runner.rank(fb.e, b.shard, 0, 0, 0, true);
  assert.equal(rb.candidates, 5);
  assert.deepEqual(fb.calls, [1000], 'k is already the engine\'s maximum');
  assert.deepEqual(rb.list, []);
  assert.equal(rb.rank, null);
  assert.equal(rb.short, SHORT_TOP_K);
});

test('a list shorter than asked but holding the top k is flagged as cutting MRR only', async () => {
  /* 40 candidates; the stand-in never returns more than 25: the top 10 are complete */
  const { ids, runner, shard } = world(40, 40, 30);
  const { e } = fakeEngine(ids, () => 25);
  const r = await runner.rank(e, shard, 0, 0, 0, true);
  assert.equal(r.list.length, 25);
  assert.equal(r.short, SHORT_LIST);
  assert.equal(r.rank, null, 'item 30 is below the list');
});

test('sampled negatives: exactly --sampled are drawn when the candidates are a small share of the catalog', async () => {
  /* 10,000 items, 150 candidates (i0..i149): rejection from the whole catalog succeeds 1.5 % of
     the time, so 50 tries per negative would yield about 75 of the 100 asked for */
  const { ids, runner, shard } = world(10000, 150, 149, { sampled: 100 });
  const { e } = fakeEngine(ids);
  const r = await runner.rank(e, shard, 0, 0, 0, true);
  assert.equal(r.rank, 150, 'the target is last of the candidates');
  /* every negative is a candidate listed above the target: rank 1 + 100 exactly when all 100
     are distinct candidates (an excluded or missing draw would rank below, tied at half) */
  assert.deepEqual(runner.sampled(0, r), { rank: 101, negatives: 100 });
  const again = runner.sampled(0, r);
  assert.deepEqual(again, { rank: 101, negatives: 100 }, 'the draw is seeded');
});

test('sampled negatives: fewer than --sampled only when the user has fewer other candidates', async () => {
  /* 8 items, 3 future: 5 candidates, so 4 negatives; the target i2 is third */
  const { ids, runner, shard } = world(8, 5, 2, { sampled: 100 });
  const { e } = fakeEngine(ids);
  const r = await runner.rank(e, shard, 0, 0, 0, true);
  assert.equal(r.candidates, 5);
  assert.deepEqual(runner.sampled(0, r), { rank: 3, negatives: 4 });
});
