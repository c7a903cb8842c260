/**
 * attune/server — for the site's server, never for the page.  Browsers report one segment
 * label per epoch after k-ary randomised response (see README "Counting segments on the
 * server").  This module turns the site's config into the numbers the browsers use, and turns
 * aggregated report counts back into unbiased estimates of how many people hold each label.
 *
 * The mechanism (the same arithmetic as src/config.c and src/privacy.c), for m labels:
 *   keep probability   p = e^ε / (e^ε + m − 1)            when label.epsilon is set
 *                      p = 1 − r + r/m                      otherwise (r = label.randomRate)
 *   other probability  q = (1 − p) / (m − 1)               each wrong label equally likely
 *   privacy loss       ε = ln(p / q)                        per report (per epoch)
 * A browser whose true label is t reports t with probability p and each other label with
 * probability q.
 *
 * De-biasing.  n reports, n_i of them from people whose true label is i, c_i reports of i.
 * c_i is a sum of independent Bernoulli variables: n_i of them with success p (people of label
 * i keeping it) and n − n_i with success q (everyone else landing on i), so
 *   E[c_i]   = n_i·p + (n − n_i)·q = n_i·(p − q) + n·q
 *   Var[c_i] = n_i·p(1 − p) + (n − n_i)·q(1 − q)
 * and the unbiased estimator and its variance are
 *   n̂_i       = (c_i − n·q) / (p − q)
 *   Var[n̂_i]  = Var[c_i] / (p − q)²
 *             = n·q(1 − q)/(p − q)²  +  n_i·(1 − p − q)/(p − q)
 * (using p(1 − p) − q(1 − q) = (p − q)(1 − p − q)).  The first term is the textbook variance of
 * a label nobody holds; the second is the correction for the people who do hold it (it is zero
 * for m = 2, where p + q = 1, and positive for m > 2).  n_i is unknown, so the reported variance
 * plugs in n̂_i: the variance is linear in n_i and n̂_i is unbiased, so the plug-in is an
 * unbiased estimate of the variance, and it is never negative (its minimum, at c_i = 0, is
 * n·p·q/(p − q)²).  The 95 % interval is the normal (Wald) interval n̂_i ± 1.95996·√Var,
 * each end clipped to [0, n], where the truth lies.  The estimates always sum to n.
 *
 * The variance assumes independent reports, i.e. one report per person per epoch: a page
 * that sends the memoised label with every request repeats the same draw, which keeps the
 * estimate unbiased (for request-weighted counts) but makes the real error larger than stated.
 */
import { AttuneError } from './errors.js';

export { AttuneError };

/** Two-sided 95 % normal quantile. */
const Z95 = 1.959963984540054;
const DEFAULT_SEGMENT = 'general';
const DEFAULT_RANDOM_RATE = 0.05;
/* the ranges the engine's config accepts (src/config.c) */
const EPSILON_MIN = 0.01;
const EPSILON_MAX = 20;
const LABEL_KEYS = ['k', 'populations', 'randomRate', 'epsilon', 'epochDays'];

function bad(message) {
  return new AttuneError('bad_argument', message);
}

function show(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Checks a label list: non-empty, unique, non-empty strings. */
function checkLabels(labels, where) {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw bad(`${where}: expected a non-empty array of label strings, got ${show(labels)}`);
  }
  const seen = new Set();
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l.length === 0) throw bad(`${where}[${i}]: a label must be a non-empty string, got ${show(l)}`);
    if (seen.has(l)) throw bad(`${where}[${i}]: label ${show(l)} appears twice`);
    seen.add(l);
  });
  return labels.slice();
}

/** Reads epsilon / randomRate as the engine does: epsilon, when set, replaces randomRate. */
function readMechanism(o, where) {
  let epsilon = o.epsilon ?? null;
  let randomRate = o.randomRate ?? DEFAULT_RANDOM_RATE;
  if (epsilon !== null) {
    if (typeof epsilon !== 'number' || !(epsilon >= EPSILON_MIN && epsilon <= EPSILON_MAX)) {
      throw bad(`${where}.epsilon: expected null or a number from ${EPSILON_MIN} to ${EPSILON_MAX} (the range the engine accepts), got ${show(o.epsilon)}`);
    }
  }
  if (typeof randomRate !== 'number' || !(randomRate >= 0 && randomRate <= 1)) {
    throw bad(`${where}.randomRate: expected a number from 0 to 1, got ${show(o.randomRate)}`);
  }
  return { epsilon, randomRate };
}

/** The labels of a site config, in the engine's order: the segments, then the default. */
function configLabels(config) {
  const segments = config.segments ?? [];
  if (!Array.isArray(segments)) throw bad(`config.segments: expected an array, got ${show(segments)}`);
  const def = config.defaultSegment ?? DEFAULT_SEGMENT;
  if (typeof def !== 'string' || def.length === 0) throw bad(`config.defaultSegment: expected a non-empty string, got ${show(def)}`);
  const labels = segments.map((s, i) => {
    if (!isPlainObject(s)) throw bad(`config.segments[${i}]: expected an object with a label, got ${show(s)}`);
    return s.label;
  });
  checkLabels(labels.concat(def), 'config.segments');
  return labels.concat(def);
}

/**
 * Normalises what a caller passed: a site config (object or JSON text, as given to
 * createEngine, or engine.config), or { labels, epsilon?, randomRate? } (the keys of the
 * config's label section may come along and are ignored).
 */
function readParams(params, where) {
  if (typeof params === 'string') {
    try {
      params = JSON.parse(params);
    } catch (err) {
      throw bad(`${where}: the config text is not valid JSON (${err.message})`);
    }
  }
  if (!isPlainObject(params)) {
    throw bad(`${where}: expected the site config or { labels, epsilon | randomRate }, got ${show(params)}`);
  }
  if ('labels' in params) {
    for (const key of Object.keys(params)) {
      if (key !== 'labels' && !LABEL_KEYS.includes(key)) {
        throw bad(`${where}: unknown key "${key}" (expected labels, epsilon or randomRate, or pass the whole site config)`);
      }
    }
    return { labels: checkLabels(params.labels, `${where}.labels`), ...readMechanism(params, where) };
  }
  const label = params.label ?? {};
  if (!isPlainObject(label)) throw bad(`config.label: expected an object, got ${show(label)}`);
  for (const key of Object.keys(label)) {
    if (!LABEL_KEYS.includes(key)) throw bad(`config.label: unknown key "${key}" (known: ${LABEL_KEYS.join(', ')})`);
  }
  return { labels: configLabels(params), ...readMechanism(label, 'config.label') };
}

function parameters({ labels, epsilon, randomRate }) {
  const m = labels.length;
  let keep;
  if (m < 2) keep = 1;
  else if (epsilon !== null) keep = Math.exp(epsilon) / (Math.exp(epsilon) + m - 1);
  else keep = 1 - randomRate + randomRate / m;
  const other = m < 2 ? 0 : (1 - keep) / (m - 1);
  /* as the engine's privacyReport: ln(p/q), null when unbounded (no noise) */
  const eps = m < 2 ? 0 : other > 0 ? Math.log(keep / other) : null;
  return {
    labels,
    m,
    mechanism: epsilon !== null ? 'epsilon' : 'randomRate',
    randomRate: epsilon !== null ? null : randomRate,
    keepProbability: keep,
    otherProbability: other,
    epsilon: eps,
  };
}

/**
 * The numbers the browsers use for a site config (or { labels, epsilon | randomRate }):
 * { labels, m, mechanism, randomRate, keepProbability, otherProbability, epsilon }.
 * `epsilon` is the per-epoch privacy loss ln(p/q) as privacyReport() states it (null when no
 * noise is added, 0 for a single label).
 */
export function labelParameters(config) {
  return parameters(readParams(config, 'labelParameters'));
}

/** Reads counts (object or Map) into an array aligned with `labels`. */
function readCounts(counts, labels) {
  let entries;
  if (counts instanceof Map) entries = [...counts.entries()];
  else if (isPlainObject(counts)) entries = Object.entries(counts);
  else throw bad(`debiasCounts: counts must be an object or a Map of label -> count, got ${show(counts)}`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const out = new Array(labels.length).fill(0);
  for (const [label, c] of entries) {
    if (typeof label !== 'string') throw bad(`debiasCounts: count keys must be label strings, got ${show(label)}`);
    const i = index.get(label);
    if (i === undefined) {
      throw bad(`debiasCounts: unknown label ${show(label)} in counts (known: ${labels.join(', ')}); count reports with the labels of the config the browsers were served`);
    }
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      throw bad(`debiasCounts: the count for ${show(label)} must be a whole number ≥ 0, got ${show(c)}`);
    }
    out[i] = c;
  }
  return out;
}

/**
 * De-biases aggregated label counts.
 * @param counts  { label: reports } or Map; labels left out count 0
 * @param params  the site config (object or JSON text, or engine.config), or
 *                { labels, epsilon } / { labels, randomRate } (epsilon, when set, wins)
 * @returns { n, labels, mechanism, keepProbability, otherProbability, epsilon,
 *            estimates: { label: { observed, estimate, variance, standardError, interval: [lo, hi] } } }
 */
export function debiasCounts(counts, params) {
  const par = parameters(readParams(params, 'debiasCounts'));
  const { labels, m, keepProbability: p, otherProbability: q } = par;
  if (m >= 2 && !(p - q > 1e-12)) {
    throw bad('debiasCounts: with randomRate 1 every label is reported uniformly at random, so the counts carry no information and cannot be de-biased');
  }
  const c = readCounts(counts, labels);
  const n = c.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(n)) throw bad('debiasCounts: the total count is too large to add up exactly');
  const d = p - q;
  const estimates = labels.map((label, i) => {
    const estimate = m < 2 ? c[i] : (c[i] - n * q) / d;
    /* n·q(1−q)/(p−q)² + n̂_i·(1−p−q)/(p−q); never below n·p·q/(p−q)², clamped against rounding */
    const variance = m < 2 ? 0 : Math.max(0, (n * q * (1 - q)) / (d * d) + (estimate * (1 - p - q)) / d);
    const se = Math.sqrt(variance);
    const clip = (x) => Math.min(n, Math.max(0, x));
    return [label, {
      observed: c[i],
      estimate,
      variance,
      standardError: se,
      interval: [clip(estimate - Z95 * se), clip(estimate + Z95 * se)],
    }];
  });
  return {
    n,
    labels: labels.slice(),
    mechanism: par.mechanism,
    keepProbability: p,
    otherProbability: q,
    epsilon: par.epsilon,
    estimates: Object.fromEntries(estimates),
  };
}

/**
 * Population counts to publish in config.label.populations, from a debiasCounts() result:
 * each estimate rounded down (never below 0), or with { lower: true } the lower end of its
 * 95 % interval rounded down — the cautious choice, which only lets a label through k once
 * the data is fairly sure it has k people.
 */
export function populations(result, { lower = false } = {}) {
  if (!isPlainObject(result) || !isPlainObject(result.estimates)) {
    throw bad(`populations: expected the result of debiasCounts(), got ${show(result)}`);
  }
  if (typeof lower !== 'boolean') throw bad(`populations: lower must be true or false, got ${show(lower)}`);
  return Object.fromEntries(Object.entries(result.estimates).map(([label, e]) => {
    const x = lower ? e.interval[0] : e.estimate;
    return [label, Math.max(0, Math.floor(x))];
  }));
}
