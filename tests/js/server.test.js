// attune/server: the de-biasing estimator for label counts reported under k-ary randomised
// response.  For m labels, keep probability p and q = (1 − p)/(m − 1), n reports and c_i
// reports of label i:
//   n̂_i = (c_i − n·q)/(p − q),   Var[n̂_i] = n·q(1 − q)/(p − q)² + n_i·(1 − p − q)/(p − q).
// Reports are simulated with a seeded PRNG (mulberry32) from the same probabilities, so every
// number below is deterministic; the tolerances are stated where they are used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as server from 'attune/server';
import { debiasCounts, labelParameters, populations } from '../../js/server.js';
import { AttuneError } from '../../js/node.js';
import { open, makeCatalog, makeClock, seeded, expectCode, DAY } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LABELS = ['A', 'B', 'C', 'D', 'general'];
const siteConfig = (label) => ({
  traits: { plan: ['a', 'b', 'c', 'd'] },
  segments: [
    { label: 'A', when: { plan: ['a'] } },
    { label: 'B', when: { plan: ['b'] } },
    { label: 'C', when: { plan: ['c'] } },
    { label: 'D', when: { plan: ['d'] } },
  ],
  history: { retentionDays: 365 },
  ...(label ? { label } : {}),
});

/** The theoretical variance of n̂_i for true count ni among n reports. */
function trueVariance(n, ni, p, q) {
  return (n * q * (1 - q)) / (p - q) ** 2 + (ni * (1 - p - q)) / (p - q);
}

/** Simulated reports: truth[i] people hold label i; each reports it with p, any other with q. */
function simulate(truth, p, rand) {
  const m = truth.length;
  const counts = new Array(m).fill(0);
  truth.forEach((ni, t) => {
    for (let u = 0; u < ni; u++) {
      if (rand() < p) counts[t]++;
      else {
        const o = Math.floor(rand() * (m - 1));
        counts[o >= t ? o + 1 : o]++;
      }
    }
  });
  return Object.fromEntries(LABELS.slice(0, m).map((l, i) => [l, counts[i]]));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleVariance = (xs) => {
  const mu = mean(xs);
  return xs.reduce((a, x) => a + (x - mu) ** 2, 0) / (xs.length - 1);
};

test('attune/server resolves through the package exports and throws the same AttuneError class', async () => {
  assert.equal(server.debiasCounts, debiasCounts);
  assert.equal(server.labelParameters, labelParameters);
  assert.equal(server.populations, populations);
  assert.equal(server.AttuneError, AttuneError);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  assert.deepEqual(pkg.exports['./server'], { types: './js/server.d.ts', default: './js/server.js' });
});

test('labelParameters gives the keep probability and epsilon the engine reports, for the same config', async () => {
  const catalog = makeCatalog({ n: 5 });
  const configs = [
    siteConfig(), siteConfig({ randomRate: 0.2 }), siteConfig({ randomRate: 0 }), siteConfig({ randomRate: 1 }),
    siteConfig({ epsilon: 0.5 }), siteConfig({ epsilon: 1, randomRate: 0.3 }), siteConfig({ epsilon: 3, k: 20, populations: { A: 100 } }),
    { segments: [{ label: 'only', when: {} }], defaultSegment: 'rest', label: { epsilon: 2 } },
    {},
  ];
  for (const config of configs) {
    const { engine } = await open({ catalog, config });
    const client = engine.privacyReport().label;
    for (const form of [config, JSON.stringify(config), engine.config]) {
      const s = labelParameters(form);
      const what = JSON.stringify(config.label ?? {});
      assert.equal(s.m, client.labels, what);
      assert.ok(Math.abs(s.keepProbability - client.keepProbability) < 1e-12, `${what}: ${s.keepProbability} vs ${client.keepProbability}`);
      if (client.epsilonPerEpoch === null) assert.equal(s.epsilon, null, what);
      else assert.ok(Math.abs(s.epsilon - client.epsilonPerEpoch) < 1e-9, `${what}: ${s.epsilon} vs ${client.epsilonPerEpoch}`);
      if (s.m > 1) assert.ok(Math.abs(s.otherProbability - (1 - s.keepProbability) / (s.m - 1)) < 1e-15);
      else assert.deepEqual([s.keepProbability, s.otherProbability, s.epsilon], [1, 0, 0], 'one label: nothing to hide or randomise');
    }
    engine.close();
  }
  assert.deepEqual(labelParameters(siteConfig()).labels, LABELS, 'the segments in order, then the default');
  assert.deepEqual(labelParameters({}).labels, ['general']);
});

test('labelParameters takes the labels and the label section directly, with the config defaults', () => {
  const a = labelParameters({ labels: LABELS, epsilon: 1 });
  assert.equal(a.keepProbability, Math.exp(1) / (Math.exp(1) + 4));
  assert.equal(a.mechanism, 'epsilon');
  assert.equal(a.randomRate, null);
  const b = labelParameters({ labels: LABELS, ...siteConfig({ randomRate: 0.1, k: 10, epochDays: 7 }).label });
  assert.ok(Math.abs(b.keepProbability - (1 - 0.1 + 0.1 / 5)) < 1e-15);
  const c = labelParameters({ labels: LABELS });
  assert.ok(Math.abs(c.keepProbability - 0.96) < 1e-15, 'randomRate defaults to 0.05, as in the config');
  assert.ok(Math.abs(c.epsilon - Math.log(1 + (5 * 0.95) / 0.05)) < 1e-12, 'ε = ln(1 + m(1 − r)/r)');
  assert.equal(labelParameters({ labels: LABELS, epsilon: null, randomRate: 0.5 }).mechanism, 'randomRate');
});

for (const [name, label] of [['epsilon 1', { epsilon: 1 }], ['epsilon 3', { epsilon: 3 }], ['the default randomRate', undefined]]) {
  test(`with ${name} the estimates recover known counts within 4 of their stated standard errors and sum to n`, () => {
    const truth = [6000, 2500, 1000, 400, 100];
    const config = siteConfig(label);
    const { keepProbability: p } = labelParameters(config);
    const counts = simulate(truth, p, seeded(31));
    const r = debiasCounts(counts, config);
    assert.equal(r.n, 10_000);
    LABELS.forEach((l, i) => {
      const e = r.estimates[l];
      assert.equal(e.observed, counts[l]);
      assert.ok(Math.abs(e.estimate - truth[i]) < 4 * e.standardError, `${l}: ${e.estimate} vs ${truth[i]} (se ${e.standardError})`);
      assert.ok(e.interval[0] <= e.estimate && e.estimate <= e.interval[1] || e.estimate < 0 || e.estimate > r.n);
    });
    const total = LABELS.reduce((s, l) => s + r.estimates[l].estimate, 0);
    assert.ok(Math.abs(total - r.n) < 1e-6, `the estimates sum to ${total}`);
  });
}

test('reports drawn by the engine itself de-bias to the true composition (client and server agree)', async () => {
  /* one engine, 3,000 epochs of one day; the true label cycles so that 1,500 answers come from
   * A, 900 from C and 600 from general.  Each estimate must lie within 4 stated standard errors. */
  const config = siteConfig({ epsilon: 1, epochDays: 1 });
  const clock = makeClock();
  const { engine } = await open({ catalog: makeCatalog({ n: 5 }), config, clock, random: seeded(41) });
  const truth = { A: 0, B: 0, C: 0, D: 0, general: 0 };
  const counts = { A: 0, B: 0, C: 0, D: 0, general: 0 };
  for (let i = 0; i < 3000; i++) {
    clock.advance(DAY);
    const t = i % 10 < 5 ? 'a' : i % 10 < 8 ? 'c' : null;
    await engine.setTraits({ plan: t });
    truth[engine.segment()]++;
    counts[engine.serverPayload().segment]++;
  }
  assert.deepEqual(truth, { A: 1500, B: 0, C: 900, D: 0, general: 600 });
  const r = debiasCounts(counts, config);
  for (const l of LABELS) {
    const e = r.estimates[l];
    assert.ok(Math.abs(e.estimate - truth[l]) < 4 * e.standardError, `${l}: ${e.estimate.toFixed(1)} vs ${truth[l]} (se ${e.standardError.toFixed(1)})`);
  }
});

for (const [name, label, tolerance] of [['epsilon 1', { epsilon: 1 }, 0.1], ['randomRate 0.05', { randomRate: 0.05 }, 0.1], ['epsilon 0.5 with two labels', { epsilon: 0.5 }, 0.1]]) {
  test(`with ${name} the variance formula matches the empirical variance over 3000 simulations (within ${tolerance * 100} %)`, () => {
    /* R = 3,000 simulated populations of n = 2,000.  The sample variance of R near-normal values
     * has a relative standard error of √(2/(R − 1)) ≈ 2.6 %, so 10 % is about 4 standard errors.
     * The textbook n·q(1 − q)/(p − q)², without the n_i term, is off by more than 25 % for the
     * biggest label in the first two cases (checked below), so the test tells them apart. */
    const two = name.includes('two');
    const config = two ? { segments: [{ label: 'A', when: {} }], label } : siteConfig(label);
    const truth = two ? [1400, 600] : [1000, 500, 300, 150, 50];
    const labels = two ? ['A', 'general'] : LABELS;
    const n = truth.reduce((a, b) => a + b, 0);
    const { keepProbability: p, otherProbability: q } = labelParameters(config);
    const rand = seeded(two ? 53 : label.epsilon ? 51 : 52);
    const R = 3000;
    const est = labels.map(() => []);
    const stated = labels.map(() => []);
    let covered = labels.map(() => 0);
    for (let s = 0; s < R; s++) {
      const c = simulate(truth, p, rand);
      if (two) { c.general = c.B; delete c.B; }
      const r = debiasCounts(c, config);
      labels.forEach((l, i) => {
        const e = r.estimates[l];
        est[i].push(e.estimate);
        stated[i].push(e.variance);
        if (e.interval[0] <= truth[i] && truth[i] <= e.interval[1]) covered[i]++;
      });
    }
    labels.forEach((l, i) => {
      const theory = trueVariance(n, truth[i], p, q);
      const empirical = sampleVariance(est[i]);
      assert.ok(Math.abs(empirical / theory - 1) < tolerance, `${l}: empirical ${empirical.toFixed(1)} vs formula ${theory.toFixed(1)}`);
      /* the reported (plug-in) variance is unbiased: its mean is within 1 % of the formula */
      assert.ok(Math.abs(mean(stated[i]) / theory - 1) < 0.01, `${l}: mean stated ${mean(stated[i]).toFixed(1)} vs ${theory.toFixed(1)}`);
      /* unbiased estimate: the mean is within 4 standard errors √(Var/R) of the truth */
      assert.ok(Math.abs(mean(est[i]) - truth[i]) < 4 * Math.sqrt(theory / R), `${l}: mean ${mean(est[i])} vs ${truth[i]}`);
      /* the 95 % interval covers the truth 93–97 % of the time (±0.02 is 5 standard errors of a proportion over 3,000) */
      const coverage = covered[i] / R;
      assert.ok(coverage > 0.93 && coverage < 0.97, `${l}: coverage ${coverage}`);
    });
    const naive = (n * q * (1 - q)) / (p - q) ** 2;
    if (!two) assert.ok(sampleVariance(est[0]) / naive - 1 > 0.25, 'the n_i term matters for a large label');
    else assert.ok(Math.abs(1 - p - q) < 1e-12, 'for m = 2 the n_i term vanishes');
  });
}

test('counts can be a Map or an object; labels left out count 0', () => {
  const config = siteConfig({ epsilon: 2 });
  const a = debiasCounts({ A: 30, C: 12, general: 100 }, config);
  const b = debiasCounts(new Map([['general', 100], ['A', 30], ['C', 12], ['B', 0]]), config);
  assert.deepEqual(a, b);
  assert.equal(a.n, 142);
  assert.equal(a.estimates.D.observed, 0);
  assert.deepEqual(Object.keys(a.estimates), LABELS);
  assert.deepEqual(a.labels, LABELS);
});

test('an estimate may fall below 0 (it is unbiased); its interval is clipped to [0, n] and its variance stays positive', () => {
  const r = debiasCounts({ A: 0, B: 300, C: 300, D: 300, general: 300 }, { labels: LABELS, epsilon: 1 });
  const e = r.estimates.A;
  assert.ok(e.estimate < 0);
  assert.ok(e.variance > 0);
  assert.equal(e.interval[0], 0);
  assert.ok(e.interval[1] >= 0 && e.interval[1] <= r.n);
  for (const l of LABELS) assert.ok(r.estimates[l].interval[0] >= 0 && r.estimates[l].interval[1] <= r.n);
});

test('without noise (randomRate 0) or with a single label the estimates are the counts, with variance 0', () => {
  const r = debiasCounts({ A: 5, general: 7 }, siteConfig({ randomRate: 0 }));
  assert.equal(r.estimates.A.estimate, 5);
  assert.equal(r.estimates.A.variance, 0);
  assert.deepEqual(r.estimates.general.interval, [7, 7]);
  assert.equal(r.epsilon, null, 'no noise: ε unbounded');
  const one = debiasCounts({ general: 9 }, {});
  assert.equal(one.estimates.general.estimate, 9);
  assert.equal(one.estimates.general.variance, 0);
});

test('populations() rounds estimates down, never below 0, or uses the interval lower bound', () => {
  const r = debiasCounts({ A: 0, B: 1200, C: 333, D: 300, general: 5000 }, { labels: LABELS, epsilon: 2 });
  const pops = populations(r);
  for (const l of LABELS) {
    assert.equal(pops[l], Math.max(0, Math.floor(r.estimates[l].estimate)));
    assert.ok(Number.isInteger(pops[l]) && pops[l] >= 0);
  }
  assert.equal(pops.A, 0);
  const cautious = populations(r, { lower: true });
  for (const l of LABELS) assert.ok(cautious[l] <= pops[l] && cautious[l] === Math.floor(r.estimates[l].interval[0]));
});

test('bad input is refused with bad_argument and a message naming the problem', async () => {
  const cfg = siteConfig({ epsilon: 1 });
  const cases = [
    [() => debiasCounts({ Z: 3 }, cfg), 'unknown label', '"Z"'],
    [() => debiasCounts({ A: -1 }, cfg), '"A"', '≥ 0'],
    [() => debiasCounts({ A: 1.5 }, cfg), 'whole number'],
    [() => debiasCounts({ A: NaN }, cfg), 'whole number'],
    [() => debiasCounts({ A: '3' }, cfg), 'whole number'],
    [() => debiasCounts({ A: Infinity }, cfg), 'whole number'],
    [() => debiasCounts([1, 2], cfg), 'object or a Map'],
    [() => debiasCounts(null, cfg), 'object or a Map'],
    [() => debiasCounts(new Map([[1, 2]]), cfg), 'label strings'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, epsilon: 0 }), 'epsilon', '0.01'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, epsilon: 25 }), 'epsilon', '20'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, epsilon: '1' }), 'epsilon'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, randomRate: -0.1 }), 'randomRate'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, randomRate: 1.5 }), 'randomRate'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, randomRate: 1 }), 'randomRate 1', 'no information'],
    [() => debiasCounts({ A: 1 }, siteConfig({ epsilon: 40 })), 'config.label.epsilon'],
    [() => debiasCounts({ A: 1 }, siteConfig({ randomRate: 2 })), 'config.label.randomRate'],
    [() => debiasCounts({ A: 1 }, siteConfig({ rate: 0.1 })), 'config.label', '"rate"'],
    [() => debiasCounts({ A: 1 }, { labels: [] }), 'labels'],
    [() => debiasCounts({ A: 1 }, { labels: ['A', 'A'] }), 'twice'],
    [() => debiasCounts({ A: 1 }, { labels: ['A', ''] }), 'labels[1]'],
    [() => debiasCounts({ A: 1 }, { labels: LABELS, eps: 1 }), '"eps"'],
    [() => debiasCounts({ A: 1 }), 'site config'],
    [() => debiasCounts({ A: 1 }, '{not json'), 'JSON'],
    [() => debiasCounts({ A: 1 }, { segments: [{ label: 'general' }] }), 'twice'],
    [() => debiasCounts({ A: 1 }, { segments: 'A' }), 'config.segments'],
    [() => labelParameters({ defaultSegment: 3 }), 'config.defaultSegment'],
    [() => populations({}), 'debiasCounts()'],
  ];
  for (const [fn, ...mentions] of cases) await expectCode(fn, 'bad_argument', ...mentions);
});

test('the README example for attune/server runs as written', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Counting segments on the server'));
  assert.ok(section.length > 40, 'the README has the section');
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  assert.ok(code.includes("from 'attune/server'"));
  /* run from the repository so 'attune/server' resolves through the package's own exports */
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.match(out, /pro-heavy/);
});
