// The reported label follows k-ary randomised response: for a true label t the engine reports t
// with probability p and each of the m − 1 other labels with probability q = (1 − p)/(m − 1),
// where p = e^ε/(e^ε + m − 1) when label.epsilon is set and p = 1 − r + r/m for randomRate r.
//
// Method: one engine per case, a seeded `random` (mulberry32, tests/js/helpers.js) and a fake
// clock.  label.epochDays is 1 and the clock moves one day before every draw, so every
// serverPayload() is a fresh, independent answer (a new epoch).  Traits are re-set every 300
// draws so they never reach the 365-day retention.  Each case draws N = 40,000 answers for
// one true label and compares the five label counts with N·p / N·q by Pearson's chi-square
// (4 degrees of freedom).  The bound is the 0.1 % critical value, 18.467: the seeds are fixed,
// so the outcome is deterministic; with a correct engine a seed fails with probability 0.001.
//
// Power, checked in every case (the statistic against a plausible wrong model must exceed the
// bound): for ε, the off-by-one p' = e^ε/(e^ε + m) has non-centrality λ = N·Σ(p_i − p'_i)²/p'_i
// of 413 (ε = 0.5), 482 (ε = 1) and 277 (ε = 3); for randomRate r, "a random *other* label"
// (p' = 1 − r) has λ = 84 (r = 0.05) and 686 (r = 0.3).  At λ = 84, χ²₄ stays under 18.467
// with probability about 1e-4, so a wrong engine cannot pass by luck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, makeCatalog, makeClock, seeded, DAY } from './helpers.js';

const N = 40_000;
const CRITICAL_DF4_0_001 = 18.467;
const LABELS = ['A', 'B', 'C', 'D', 'general']; /* the engine's order: segments, then the default */
const M = LABELS.length;
const catalog = makeCatalog({ n: 10, seed: 3 });
const base = {
  traits: { plan: ['a', 'b', 'c', 'd'] },
  segments: [
    { label: 'A', when: { plan: ['a'] } },
    { label: 'B', when: { plan: ['b'] } },
    { label: 'C', when: { plan: ['c'] } },
    { label: 'D', when: { plan: ['d'] } },
  ],
  history: { retentionDays: 365 },
};
/* the plan that makes each label true (general: no plan) */
const PLAN = { A: 'a', C: 'c', general: null };

const keepForEpsilon = (eps, m = M) => Math.exp(eps) / (Math.exp(eps) + m - 1);
const keepForRate = (r, m = M) => 1 - r + r / m;

/** Expected probabilities of each label for true label `truth` and keep probability p. */
function probabilities(truth, p) {
  const q = (1 - p) / (M - 1);
  return LABELS.map((l) => (l === truth ? p : q));
}

/** Pearson's chi-square of counts (aligned with LABELS) against probabilities. */
function chiSquare(counts, probs) {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
}

/** N fresh answers (one per epoch) of an engine whose true label is `truth`. */
async function draw(label, truth, seed, n = N) {
  const config = { ...base, label: { ...label, epochDays: 1 } };
  const clock = makeClock();
  const { engine } = await open({ catalog, config, clock, random: seeded(seed) });
  const counts = new Array(M).fill(0);
  for (let i = 0; i < n; i++) {
    clock.advance(DAY);
    if (i % 300 === 0 && PLAN[truth]) await engine.setTraits({ plan: PLAN[truth] });
    const { segment } = engine.serverPayload();
    counts[LABELS.indexOf(segment)]++;
  }
  assert.equal(engine.segment(), truth, 'set-up: the true label stayed the same throughout');
  assert.equal(engine.privacyReport().label.disclosures, n, 'set-up: every draw was a fresh answer');
  engine.close();
  return counts;
}

const cases = [
  { name: 'epsilon 0.5', label: { epsilon: 0.5 }, p: keepForEpsilon(0.5), wrong: Math.exp(0.5) / (Math.exp(0.5) + M) },
  { name: 'epsilon 1', label: { epsilon: 1 }, p: keepForEpsilon(1), wrong: Math.exp(1) / (Math.exp(1) + M) },
  { name: 'epsilon 3', label: { epsilon: 3 }, p: keepForEpsilon(3), wrong: Math.exp(3) / (Math.exp(3) + M) },
  { name: 'the default randomRate 0.05', label: {}, p: keepForRate(0.05), wrong: 1 - 0.05 },
  { name: 'randomRate 0.3', label: { randomRate: 0.3 }, p: keepForRate(0.3), wrong: 1 - 0.3 },
];

let seed = 1000;
for (const c of cases) {
  for (const truth of ['A', 'C', 'general']) {
    const s = ++seed;
    test(`with ${c.name} a true ${truth} is reported as ${truth} with p = ${c.p.toFixed(4)} and as each other label with (1 − p)/(m − 1) (chi-square, ${N} draws)`, async () => {
      const counts = await draw(c.label, truth, s);
      const stat = chiSquare(counts, probabilities(truth, c.p));
      assert.ok(stat < CRITICAL_DF4_0_001,
        `chi-square ${stat.toFixed(2)} ≥ ${CRITICAL_DF4_0_001} (p < 0.001): counts ${LABELS.map((l, i) => `${l}=${counts[i]}`).join(' ')}, ` +
        `expected ${truth}≈${Math.round(N * c.p)} and ≈${Math.round((N * (1 - c.p)) / (M - 1))} for each other label`);
      const power = chiSquare(counts, probabilities(truth, c.wrong));
      assert.ok(power > CRITICAL_DF4_0_001, `the test could not tell p = ${c.p} from a wrong p = ${c.wrong} (chi-square ${power.toFixed(2)})`);
    });
  }
}

test('the empirical log-odds of keeping the true label matches epsilon (ε = 1, within 0.05)', async () => {
  /* ln(p̂/q̂) = logit(p̂) + ln(m − 1) with p̂ from 40,000 draws: its standard error is
   * 1/√(N·p(1 − p)) ≈ 0.010 at ε = 1, m = 5, so 0.05 is about 5 standard errors */
  const counts = await draw({ epsilon: 1 }, 'C', 77);
  const kept = counts[LABELS.indexOf('C')] / N;
  const other = (1 - kept) / (M - 1);
  assert.ok(Math.abs(Math.log(kept / other) - 1) < 0.05, `ln(p̂/q̂) = ${Math.log(kept / other)}`);
});

test('randomRate 0 always reports the true label', async () => {
  for (const truth of ['A', 'C', 'general']) {
    const counts = await draw({ randomRate: 0 }, truth, 5, 500);
    assert.deepEqual(counts, LABELS.map((l) => (l === truth ? 500 : 0)));
  }
});

test('randomRate 1 reports every label uniformly, the true one included (chi-square, 40000 draws)', async () => {
  const counts = await draw({ randomRate: 1 }, 'A', 99);
  const stat = chiSquare(counts, new Array(M).fill(1 / M));
  assert.ok(stat < CRITICAL_DF4_0_001, `chi-square ${stat.toFixed(2)}: ${counts}`);
});

test('privacyReport states the keep probability these tests check', async () => {
  for (const c of cases) {
    const { engine } = await open({ catalog, config: { ...base, label: c.label } });
    const r = engine.privacyReport().label;
    assert.equal(r.labels, M);
    assert.ok(Math.abs(r.keepProbability - c.p) < 1e-12, `${c.name}: ${r.keepProbability} vs ${c.p}`);
    assert.ok(Math.abs(r.epsilonPerEpoch - Math.log(c.p / ((1 - c.p) / (M - 1)))) < 1e-9, c.name);
    engine.close();
  }
});
