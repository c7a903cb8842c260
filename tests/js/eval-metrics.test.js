// attune-eval's metrics, bootstrap, verdicts, timestamps and held-out planning, against
// cases computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hit, ndcg, rr, summarise, coverage, quantile, lift, bootstrapLift, bootstrapDiff, sampledRank, verdict, confidenceText,
} from '../../tools/eval/metrics.mjs';
import { parseTimestamp, EVENT_TYPES } from '../../tools/eval/data.mjs';
import { plan, publishedAfterUse } from '../../tools/eval/evaluate.mjs';
import { prng } from '../../scripts/gen-catalog.mjs';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} is not ${b}`);

/** A rand() that returns the given values in turn. */
function scripted(values) {
  let i = 0;
  return () => {
    assert.ok(i < values.length, 'the bootstrap drew more numbers than scripted');
    return values[i++];
  };
}

test('HR@k counts a held-out item in the top k; a missing rank is a miss', () => {
  assert.deepEqual([1, 3, 10, 11, null].map((r) => hit(r, 10)), [1, 1, 1, 0, 0]);
  assert.equal(hit(3, 2), 0);
});

test('NDCG@10 with one relevant item is 1/log2(rank+1) inside the top 10', () => {
  close(ndcg(1), 1);
  close(ndcg(3), 0.5); /* 1 / log2 4 */
  close(ndcg(7), 1 / 3); /* 1 / log2 8 */
  close(ndcg(10), 1 / Math.log2(11));
  assert.equal(ndcg(11), 0);
  assert.equal(ndcg(null), 0);
});

test('reciprocal rank is 1/rank, 0 when the item is not in the list', () => {
  assert.deepEqual([1, 4, null].map(rr), [1, 0.25, 0]);
});

test('summarise averages HR@k, NDCG@k and MRR over users, at the k it is given', () => {
  const s = summarise([1, 3, 7, 12, null], 10);
  assert.equal(s.n, 5);
  close(s.hr, 3 / 5);
  close(s.ndcg, (1 + 0.5 + 1 / 3) / 5);
  close(s.mrr, (1 + 1 / 3 + 1 / 7 + 1 / 12) / 5);
  const s3 = summarise([1, 3, 7, 12, null], 3);
  close(s3.hr, 2 / 5);
  close(s3.ndcg, (1 + 0.5) / 5);
  close(s3.mrr, s.mrr, 1e-12);
});

test('coverage is the share of catalog items in at least one top list', () => {
  close(coverage([['a', 'b'], ['b', 'c'], []], 10), 0.3);
  close(coverage([[1, 2, 3, 4]], 4), 1);
});

test('quantiles interpolate linearly between order statistics', () => {
  close(quantile([1, 2, 3, 4], 0.5), 2.5);
  close(quantile([0, 10], 0.025), 0.25);
  close(quantile([0, 10], 0.975), 9.75);
  close(quantile([5], 0.3), 5);
});

test('lift is the ratio of means minus one', () => {
  close(lift([0.2, 0.4], [0.1, 0.2]), 1);
  assert.ok(Number.isNaN(lift([1], [0])));
});

test('bootstrap: two scripted resamples give the hand-computed interval', () => {
  /* users: treat [1, 0, 1], base [1, 1, 0]; point lift (2/3)/(2/3) - 1 = 0
     resample 1 draws users 0, 1, 2 -> 2/2 - 1 = 0; resample 2 draws 0, 0, 2 -> 3/2 - 1 = 0.5
     sorted [0, 0.5]: 2.5 % -> 0.0125, 97.5 % -> 0.4875 */
  const b = bootstrapLift([1, 0, 1], [1, 1, 0], { B: 2, rand: scripted([0.0, 0.4, 0.7, 0.1, 0.1, 0.9]) });
  close(b.lift, 0);
  close(b.lo, 0.0125);
  close(b.hi, 0.4875);
  assert.equal(b.level, 0.95);
  assert.equal(b.B, 2);
  assert.equal(b.undefinedResamples, 0);
});

test('bootstrap: the confidence level sets the quantiles and is returned with the interval', () => {
  /* the same two resamples [0, 0.5] at 50 %: the 25 % and 75 % quantiles, 0.125 and 0.375 */
  const b = bootstrapLift([1, 0, 1], [1, 1, 0], { B: 2, level: 0.5, rand: scripted([0.0, 0.4, 0.7, 0.1, 0.1, 0.9]) });
  close(b.lo, 0.125);
  close(b.hi, 0.375);
  assert.equal(b.level, 0.5);
  assert.throws(() => bootstrapLift([1], [1], { rand: Math.random, level: 95 }), /level must be in \(0, 1\)/);
});

test('bootstrap: resamples with a zero baseline are dropped and counted', () => {
  /* resample 1 draws user 2 three times (base 0): undefined; resample 2 draws 0, 1, 1 -> 1/3 / 1 - 1 */
  const b = bootstrapLift([1, 0, 1], [1, 1, 0], { B: 2, rand: scripted([0.9, 0.9, 0.9, 0.0, 0.5, 0.5]) });
  assert.equal(b.undefinedResamples, 1);
  assert.equal(b.B, 1);
  close(b.lo, 1 / 3 - 1);
  close(b.hi, 1 / 3 - 1);
});

test('bootstrap: identical users give a degenerate interval; a fixed seed repeats', () => {
  const flat = bootstrapLift([0.5, 0.5, 0.5], [0.25, 0.25, 0.25], { B: 50, rand: prng(3) });
  close(flat.lift, 1);
  close(flat.lo, 1);
  close(flat.hi, 1);
  const treat = [1, 0, 0, 1, 1, 0, 1, 1];
  const base = [0, 0, 1, 1, 0, 0, 1, 0];
  const a = bootstrapLift(treat, base, { B: 200, rand: prng(7) });
  const b = bootstrapLift(treat, base, { B: 200, rand: prng(7) });
  assert.deepEqual(a, b);
  close(a.lift, 5 / 3 - 1);
  assert.ok(a.lo <= a.lift && a.lift <= a.hi);
});

test('sampled rank: negatives above the item count 1; below the list, ties count half', () => {
  const position = new Map([[10, 0], [20, 1], [30, 2]]);
  assert.equal(sampledRank(1, [10, 30, 40], position), 2); /* only 10 is above item 20 */
  assert.equal(sampledRank(0, [20, 30, 40], position), 1);
  assert.equal(sampledRank(null, [10, 40], position), 2.5); /* 10 above; 40 tied below the list */
});

test('paired difference: two scripted resamples give the hand-computed interval', () => {
  /* users: a [1, 0, 1], b [0, 0, 1]; per-user differences [1, 0, 0], mean 1/3
     resample 1 draws users 0, 1, 2 -> 1/3; resample 2 draws 0, 0, 2 -> 2/3
     sorted [1/3, 2/3]: 2.5 % -> 1/3 + 0.025/3, 97.5 % -> 1/3 + 0.975/3 */
  const d = bootstrapDiff([1, 0, 1], [0, 0, 1], { B: 2, rand: scripted([0.0, 0.4, 0.7, 0.1, 0.1, 0.9]) });
  close(d.diff, 1 / 3);
  close(d.lo, 1 / 3 + 0.025 / 3);
  close(d.hi, 1 / 3 + 0.975 / 3);
  assert.equal(d.level, 0.95);
  assert.equal(d.B, 2);
  /* at 50 %: the 25 % and 75 % quantiles */
  const h = bootstrapDiff([1, 0, 1], [0, 0, 1], { B: 2, level: 0.5, rand: scripted([0.0, 0.4, 0.7, 0.1, 0.1, 0.9]) });
  close(h.lo, 1 / 3 + 0.25 / 3);
  close(h.hi, 1 / 3 + 0.75 / 3);
});

test('paired difference: pairs are kept together; identical pairs give a degenerate interval', () => {
  /* b is a + 0.1 for every user, whatever the user's level: the difference is -0.1 in every
     resample, although the per-level means vary a lot between resamples */
  const a = [0, 0.5, 1, 0.25, 0.75];
  const b = a.map((x) => x + 0.1);
  const d = bootstrapDiff(a, b, { B: 100, rand: prng(11) });
  close(d.diff, -0.1, 1e-12);
  close(d.lo, -0.1, 1e-12);
  close(d.hi, -0.1, 1e-12);
  /* a fixed seed repeats; a level that beats the other for most users has an interval above 0 */
  const x = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const y = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0 : 1));
  const r1 = bootstrapDiff(x, y, { B: 300, rand: prng(3) });
  assert.deepEqual(r1, bootstrapDiff(x, y, { B: 300, rand: prng(3) }));
  close(r1.diff, 0.8 - 0.5);
  assert.ok(r1.lo > 0 && r1.lo < r1.diff && r1.diff < r1.hi, JSON.stringify(r1));
  assert.throws(() => bootstrapDiff([1], [1, 2], { rand: Math.random }), /one value per user/);
  assert.throws(() => bootstrapDiff([1], [1], { rand: Math.random, level: 1 }), /level must be in \(0, 1\)/);
  assert.ok(Number.isNaN(bootstrapDiff([], [], { rand: Math.random }).diff));
});

test('verdicts are judged on the interval: confirmed only when all of it is inside the claim', () => {
  const claim = [0.15, 0.25];
  const m = (lift, lo, hi) => ({ lift, lo, hi, level: 0.95 });
  const v = (...args) => verdict(m(...args), claim);
  /* the whole interval inside (the ends count as inside) */
  assert.deepEqual(v(0.2, 0.16, 0.24), { verdict: 'confirmed', why: 'the whole 95 % interval lies inside the claimed range' });
  assert.equal(v(0.2, 0.15, 0.25).verdict, 'confirmed');
  /* a point estimate inside the claim is not enough when the interval is wider than the claim */
  assert.deepEqual(v(0.2, 0.05, 0.4), { verdict: 'not confirmed',
    why: 'the point estimate lies inside the claimed range; the 95 % interval overlaps the range but extends beyond it on both sides' });
  assert.deepEqual(v(0.2, 0.1, 0.24), { verdict: 'not confirmed',
    why: 'the point estimate lies inside the claimed range; the 95 % interval overlaps the range but extends below it' });
  assert.deepEqual(v(0.24, 0.2, 0.3), { verdict: 'not confirmed',
    why: 'the point estimate lies inside the claimed range; the 95 % interval overlaps the range but extends above it' });
  /* a point estimate outside with an interval reaching the claim */
  assert.deepEqual(v(0.3, 0.2, 0.5), { verdict: 'not confirmed',
    why: 'the point estimate lies above the claimed range; the 95 % interval overlaps the range but extends above it' });
  assert.deepEqual(v(0.1, -0.1, 0.2), { verdict: 'not confirmed',
    why: 'the point estimate lies below the claimed range; the 95 % interval overlaps the range but extends below it' });
  /* the whole interval outside, below or above (touching the claim's end is not outside) */
  assert.deepEqual(v(0.05, -0.02, 0.1), { verdict: 'contradicted', why: 'the whole 95 % interval lies below the claimed range' });
  assert.deepEqual(v(0.6, 0.3, 0.9), { verdict: 'contradicted', why: 'the whole 95 % interval lies above the claimed range' });
  assert.equal(v(0.1, 0.05, 0.15).verdict, 'not confirmed');
  /* nothing to judge on */
  assert.equal(v(NaN, NaN, NaN).verdict, 'not confirmed');
  assert.match(v(0.2, NaN, NaN).why, /^the point estimate lies inside the claimed range, but the 95 % interval could not be computed/);
  assert.equal(v(0.2, NaN, NaN).verdict, 'not confirmed');
});

test('verdicts name the confidence level their interval was computed at', () => {
  const claim = [0.15, 0.25];
  assert.equal(verdict({ lift: 0.05, lo: -0.02, hi: 0.1, level: 0.95 }, claim).why, 'the whole 95 % interval lies below the claimed range');
  assert.equal(verdict({ lift: 0.05, lo: -0.02, hi: 0.1, level: 0.9 }, claim).why, 'the whole 90 % interval lies below the claimed range');
  assert.equal(verdict({ lift: 0.3, lo: 0.2, hi: 0.5, level: 0.99 }, claim).why,
    'the point estimate lies above the claimed range; the 99 % interval overlaps the range but extends above it');
  assert.equal(verdict({ lift: 0.2, lo: 0.16, hi: 0.2, level: 0.8 }, claim).why, 'the whole 80 % interval lies inside the claimed range');
  assert.throws(() => verdict({ lift: 0.05, lo: -0.02, hi: 0.1 }, claim), /confidence level/);
  assert.equal(confidenceText(0.975), '97.5 %');
  /* end to end: the level given to the bootstrap is the one the verdict states */
  const b = bootstrapLift([0, 0, 0, 1], [1, 1, 1, 1], { B: 20, level: 0.8, rand: scripted(Array(80).fill(0.9)) });
  assert.match(verdict(b, claim).why, /^the whole 80 % interval lies below/);
});

test('timestamps: ms or ISO-8601 (UTC without an offset); seconds and impossible dates are refused', () => {
  const noon = Date.UTC(2026, 0, 5, 12);
  assert.equal(parseTimestamp(String(noon)).ms, noon);
  assert.equal(parseTimestamp('2026-01-05T12:00:00Z').ms, noon);
  assert.equal(parseTimestamp('2026-01-05T12:00').ms, noon);
  assert.equal(parseTimestamp('2026-01-05 13:00:00+01:00').ms, noon);
  assert.equal(parseTimestamp('2026-01-05T07:00:00-0500').ms, noon);
  assert.equal(parseTimestamp('2026-01-05T12:00:00.250Z').ms, noon + 250);
  assert.equal(parseTimestamp('2026-01-05').ms, Date.UTC(2026, 0, 5));
  assert.match(parseTimestamp(String(noon / 1000)).error, /seconds/);
  assert.match(parseTimestamp('2026-02-30').error, /no day 30/);
  assert.match(parseTimestamp('yesterday').error, /neither ms since 1970 nor ISO-8601/);
  assert.match(parseTimestamp('').error, /empty/);
  assert.match(parseTimestamp('2026-13-01').error, /not a valid/);
});

test('planning: held-out events are first-time positive events; the split takes the first after T', () => {
  const T = (n) => 1.8e12 + n * 60000;
  const ty = (name) => EVENT_TYPES.indexOf(name);
  /* one user: A view, B impression, B click, A click (repeat), C like, D dismiss, E view */
  const ev = {
    off: Int32Array.from([0, 7, 9]),
    item: Int32Array.from([0, 1, 1, 0, 2, 3, 4, /* user 2 */ 0, 1]),
    time: Float64Array.from([T(0), T(1), T(2), T(3), T(4), T(5), T(6), /* user 2 */ T(5), T(6)]),
    type: Uint8Array.from(['view', 'impression', 'click', 'click', 'like', 'dismiss', 'view', 'click', 'click'].map(ty)),
  };
  const positive = EVENT_TYPES.map((t) => !['dismiss', 'impression'].includes(t));
  const p = plan(ev, positive, 3, T(3));
  /* new items: A (0), B (2: an impression does not make it seen), C (4), E (6) */
  assert.deepEqual(Array.from(p.subarray(0, 4)), [4, 6, 3, 4]);
  /* user 2 has only two new items and nothing before T: in neither protocol */
  assert.deepEqual(Array.from(p.subarray(4, 8)), [-1, -1, -1, -1]);
  /* with min-items 4 user 1 still qualifies, with 5 not */
  assert.equal(plan(ev, positive, 4, T(3))[1], 6);
  assert.equal(plan(ev, positive, 5, T(3))[1], -1);
});

test('published-after-use counts each held-out event once, however often it is ranked', () => {
  const T = (n) => 1.8e12 + n * 60000;
  const ty = (name) => EVENT_TYPES.indexOf(name);
  /* the user of the planning case: tune = event 4 (C), test = event 6 (E), time split: target
     event 4 again (C) after the history up to event 3 */
  const ev = {
    off: Int32Array.from([0, 7]),
    item: Int32Array.from([0, 1, 1, 0, 2, 3, 4]),
    time: Float64Array.from([T(0), T(1), T(2), T(3), T(4), T(5), T(6)]),
    type: Uint8Array.from(['view', 'impression', 'click', 'click', 'like', 'dismiss', 'view'].map(ty)),
  };
  const positive = EVENT_TYPES.map((t) => !['dismiss', 'impression'].includes(t));
  const p = plan(ev, positive, 3, T(3));
  assert.deepEqual(Array.from(p), [4, 6, 3, 4]);
  /* C (item 2) is published a minute after it was liked: one held-out event, though it is both
     the tuning and the time-split target */
  const published = Float64Array.from([-Infinity, -Infinity, T(5), -Infinity, -Infinity]);
  assert.equal(publishedAfterUse(ev, p, published), 1);
  /* E (item 4) published after its view too: two; published exactly at its time: not after */
  published[4] = T(7);
  assert.equal(publishedAfterUse(ev, p, published), 2);
  published[4] = T(6);
  assert.equal(publishedAfterUse(ev, p, published), 1);
  /* an item used late but not as a held-out event (A at event 3, a repeat) does not count */
  published[0] = T(9);
  assert.equal(publishedAfterUse(ev, p, published), 1);
});
