/**
 * Ranking metrics and the bootstrap.  Each test case has one held-out item; `rank` is its
 * 1-based position in the ranked list of candidates, or null when it is not in the list.  A rank
 * beyond the list counts 0 in MRR; the evaluator's full rankings stop at the engine's maximum of
 * 1000 items, so its MRR is MRR@1000 on catalogs larger than that.
 * All functions are pure; tests/js/eval-metrics.test.js checks them against hand-computed cases.
 */

/** 1 when the held-out item is in the top k, else 0. */
export function hit(rank, k = 10) {
  return rank !== null && rank !== undefined && rank <= k ? 1 : 0;
}

/** NDCG@k with one relevant item: 1 / log2(rank + 1) inside the top k (the ideal DCG is 1). */
export function ndcg(rank, k = 10) {
  return hit(rank, k) ? 1 / Math.log2(rank + 1) : 0;
}

/** Reciprocal rank: 1 / rank, 0 when the item is not in the list. */
export function rr(rank) {
  return rank === null || rank === undefined ? 0 : 1 / rank;
}

export function mean(xs) {
  if (!xs.length) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** HR@k, NDCG@k and MRR over a list of ranks (one per user), and how many there are. */
export function summarise(ranks, k = 10) {
  return {
    n: ranks.length,
    hr: mean(ranks.map((r) => hit(r, k))),
    ndcg: mean(ranks.map((r) => ndcg(r, k))),
    mrr: mean(ranks.map(rr)),
  };
}

/**
 * Catalog coverage: the share of the catalog's items that appear in at least one top-k list.
 * @param {Iterable<Iterable<string|number>>} lists each user's top k
 * @param {number} catalogSize
 */
export function coverage(lists, catalogSize) {
  const seen = new Set();
  for (const list of lists) for (const id of list) seen.add(id);
  return catalogSize > 0 ? seen.size / catalogSize : NaN;
}

/**
 * The q-quantile of sorted values, linear between order statistics (R's type 7, numpy's
 * default): position (n − 1)·q.
 */
export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Relative lift of mean(a) over mean(b): mean(a) / mean(b) − 1 (NaN when mean(b) is 0). */
export function lift(a, b) {
  const mb = mean(b);
  return mb > 0 ? mean(a) / mb - 1 : NaN;
}

/**
 * Paired bootstrap of the lift of `treat` over `base` (per-user values in the same order):
 * `B` resamples of the users with replacement, each giving mean(treat*) / mean(base*) − 1;
 * the interval at confidence `level` (0.95: the 2.5 % and 97.5 % quantiles) is taken from
 * those (percentile method).  Resamples whose baseline mean is 0 are dropped (their lift is
 * undefined) and counted.  The result carries `level`, so what is said about the interval
 * (verdicts, reports) can name it.
 * @param {number[]} treat
 * @param {number[]} base
 * @param {{ B?: number, rand: () => number, level?: number }} opts `rand` returns [0, 1)
 * @returns {{ lift: number, lo: number, hi: number, level: number, B: number, undefinedResamples: number }}
 */
export function bootstrapLift(treat, base, { B = 1000, rand, level = 0.95 }) {
  checkPaired('bootstrapLift', treat, base, level);
  const point = lift(treat, base);
  if (treat.length === 0) return { lift: NaN, lo: NaN, hi: NaN, level, B: 0, undefinedResamples: 0 };
  const lifts = pairedResamples(treat, base, B, rand, (st, sb) => (sb > 0 ? st / sb - 1 : NaN));
  const [lo, hi] = percentileInterval(lifts, level);
  return { lift: point, lo, hi, level, B: lifts.length, undefinedResamples: B - lifts.length };
}

function checkPaired(what, a, b, level) {
  if (a.length !== b.length) throw new Error(`${what}: the two lists must have one value per user each`);
  if (!(level > 0 && level < 1)) throw new Error(`${what}: level must be in (0, 1), got ${level}`);
}

/**
 * `B` resamples of the users (with replacement, one rand() per user drawn), each summarised
 * by stat(sum of a*, sum of b*, n); the values that are not NaN, sorted.
 */
function pairedResamples(a, b, B, rand, stat) {
  const n = a.length;
  const out = [];
  for (let r = 0; r < B; r++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rand() * n);
      sa += a[j];
      sb += b[j];
    }
    const v = stat(sa, sb, n);
    if (!Number.isNaN(v)) out.push(v);
  }
  return out.sort((x, y) => x - y);
}

/** The percentile-method interval at confidence `level` of sorted resample values. */
function percentileInterval(sorted, level) {
  const q = (1 - level) / 2;
  return [quantile(sorted, q), quantile(sorted, 1 - q)];
}

/**
 * Paired bootstrap of the difference mean(a) − mean(b) between two levels measured on the same
 * users (per-user values in the same order): `B` resamples of the users with replacement, the
 * interval at confidence `level` by the percentile method, as bootstrapLift.  A difference
 * rather than a ratio, so it stays defined when a level has no hits.
 * @param {number[]} a
 * @param {number[]} b
 * @param {{ B?: number, rand: () => number, level?: number }} opts `rand` returns [0, 1)
 * @returns {{ diff: number, lo: number, hi: number, level: number, B: number }}
 */
export function bootstrapDiff(a, b, { B = 1000, rand, level = 0.95 }) {
  checkPaired('bootstrapDiff', a, b, level);
  if (a.length === 0) return { diff: NaN, lo: NaN, hi: NaN, level, B: 0 };
  const [lo, hi] = percentileInterval(pairedResamples(a, b, B, rand, (sa, sb, n) => (sa - sb) / n), level);
  return { diff: mean(a) - mean(b), lo, hi, level, B };
}

/**
 * The rank of the held-out item among `sampled` negatives (an extra, optimistic protocol kept
 * for comparison with papers that use it): 1 + the number of sampled negatives ranked above
 * it.  `position` maps an item to its 0-based place in the full ranked list (absent = below
 * the list); items below the list are tied, and a tie counts half (its expected effect).
 * @param {number | null} targetPos 0-based position of the held-out item, or null
 * @param {number[]} negatives item keys
 * @param {Map<number, number>} position
 */
export function sampledRank(targetPos, negatives, position) {
  let above = 0;
  for (const neg of negatives) {
    const p = position.get(neg);
    if (p === undefined) {
      if (targetPos === null) above += 0.5;
    } else if (targetPos === null || p < targetPos) {
      above += 1;
    }
  }
  return 1 + above;
}

/** A confidence level as a percentage for text: 0.95 -> "95 %", 0.975 -> "97.5 %". */
export function confidenceText(level) {
  return `${Number((level * 100).toFixed(1))} %`;
}

/**
 * Verdict of a measured lift against a claimed range [lo, hi] (fractions, e.g. 0.15–0.25),
 * judged on the interval, not the point estimate:
 *   confirmed      — the whole interval (at its confidence `m.level`) lies inside the range;
 *   contradicted   — the whole interval lies outside it, below or above;
 *   not confirmed  — otherwise: the interval overlaps the range but is not inside it (or the
 *                    lift is undefined); `why` says where the point estimate and interval are.
 * @param {{ lift: number, lo: number, hi: number, level: number }} m as bootstrapLift returns it
 * @param {[number, number]} claim
 */
export function verdict(m, claim) {
  const [lo, hi] = claim;
  if (!(m.level > 0 && m.level < 1)) throw new Error(`verdict: the interval's confidence level is missing or not in (0, 1): ${m.level}`);
  const ci = `${confidenceText(m.level)} interval`;
  if (!Number.isFinite(m.lift)) return { verdict: 'not confirmed', why: 'the lift is undefined (the baseline has no hits)' };
  if (!Number.isFinite(m.lo) || !Number.isFinite(m.hi)) {
    return { verdict: 'not confirmed', why: `the point estimate lies ${where(m.lift, lo, hi)} the claimed range, but the ${ci} could not be computed, and a point estimate alone confirms nothing` };
  }
  if (m.lo >= lo && m.hi <= hi) return { verdict: 'confirmed', why: `the whole ${ci} lies inside the claimed range` };
  if (m.hi < lo) return { verdict: 'contradicted', why: `the whole ${ci} lies below the claimed range` };
  if (m.lo > hi) return { verdict: 'contradicted', why: `the whole ${ci} lies above the claimed range` };
  const reach = m.lo < lo && m.hi > hi ? 'beyond it on both sides' : m.lo < lo ? 'below it' : 'above it';
  return { verdict: 'not confirmed', why: `the point estimate lies ${where(m.lift, lo, hi)} the claimed range; the ${ci} overlaps the range but extends ${reach}` };
}

/** Where x lies against [lo, hi]: "below", "inside" or "above". */
function where(x, lo, hi) {
  return x < lo ? 'below' : x > hi ? 'above' : 'inside';
}
