// k-anonymity gating of the server label: with server-published populations, a label whose
// population is below label.k is reported as the default label (before randomisation); once
// any population is published, labels left out count as 0; k = 0 turns the gate off; without
// populations nothing is gated.  randomRate 0 makes the reported label the gated true label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, makeCatalog, makeClock, seeded, DAY } from './helpers.js';

const catalog = makeCatalog({ n: 10, seed: 6 });
const base = {
  traits: { plan: ['free', 'pro', 'team'] },
  segments: [
    { label: 'pro', when: { plan: ['pro'] } },
    { label: 'team', when: { plan: ['team'] } },
    { label: 'free', when: { plan: ['free'] } },
  ],
  defaultSegment: 'general',
};

/** The reported label of a fresh engine whose plan is `plan` (null: no plan, the default). */
async function reported(label, plan) {
  const { engine } = await open({ catalog, config: { ...base, label: { randomRate: 0, ...label } } });
  if (plan) await engine.setTraits({ plan });
  const out = { local: engine.segment(), sent: engine.serverPayload().segment, report: engine.privacyReport().label };
  engine.close();
  return out;
}

test('a label whose published population is below k is reported as the default label; the local label stays true', async () => {
  const r = await reported({ k: 50, populations: { pro: 49, team: 5000, free: 8000, general: 9000 } }, 'pro');
  assert.equal(r.local, 'pro');
  assert.equal(r.sent, 'general');
  assert.equal(r.report.kAnonymityEnforced, true);
});

test('a population of exactly k is enough', async () => {
  assert.equal((await reported({ k: 50, populations: { pro: 50 } }, 'pro')).sent, 'pro');
  assert.equal((await reported({ k: 1000, populations: { pro: 999 } }, 'pro')).sent, 'general');
  assert.equal((await reported({ k: 1000, populations: { pro: 1000 } }, 'pro')).sent, 'pro');
});

test('once any population is published, a label left out counts as 0 and is reported as the default', async () => {
  const label = { k: 50, populations: { pro: 5000 } };
  assert.equal((await reported(label, 'pro')).sent, 'pro');
  assert.equal((await reported(label, 'team')).sent, 'general');
  assert.equal((await reported(label, 'free')).sent, 'general');
});

test('the default label is reported as itself even when its own population is below k', async () => {
  const r = await reported({ k: 50, populations: { general: 3, pro: 5000 } }, null);
  assert.equal(r.local, 'general');
  assert.equal(r.sent, 'general');
});

test('k = 0 disables the gate, even for a published population of 0', async () => {
  const r = await reported({ k: 0, populations: { pro: 0, team: 0 } }, 'team');
  assert.equal(r.sent, 'team');
  assert.equal(r.report.kAnonymityEnforced, false);
});

test('without published populations nothing is gated, whatever k is', async () => {
  const r = await reported({ k: 1000 }, 'free');
  assert.equal(r.sent, 'free');
  assert.equal(r.report.kAnonymityEnforced, false);
});

test('gating comes before randomisation: a gated user randomises around the default label, never around the true one', async () => {
  /* epsilon 1, m = 4: p = e/(e + 3) ≈ 0.475 for the (gated) true label, q ≈ 0.175 for each other.
   * Over 4,000 epochs a true "pro" that is gated reports "general" ≈ 1,900 times and "pro"
   * ≈ 700 times; randomising around "pro" would give the reverse.  The bounds below are more
   * than 8 standard deviations (≈ 32 and ≈ 24 reports) from either expectation. */
  const clock = makeClock();
  const config = { ...base, history: { retentionDays: 365 }, label: { epsilon: 1, epochDays: 1, k: 50, populations: { pro: 10, team: 900, free: 900, general: 900 } } };
  const { engine } = await open({ catalog, config, clock, random: seeded(21) });
  const counts = { pro: 0, team: 0, free: 0, general: 0 };
  for (let i = 0; i < 4000; i++) {
    clock.advance(DAY);
    if (i % 300 === 0) await engine.setTraits({ plan: 'pro' });
    counts[engine.serverPayload().segment]++;
  }
  assert.equal(engine.segment(), 'pro');
  assert.deepEqual((await engine.export()).serverLabel.answers.map((a) => a.truth), ['general'],
    'the memo records the gated label as the truth');
  assert.ok(counts.general > 1600 && counts.general < 2200, `general: ${counts.general}`);
  assert.ok(counts.pro > 500 && counts.pro < 900, `pro: ${counts.pro}`);
});

test('a newly published population takes effect on the next engine (config served again)', async () => {
  const before = await reported({ k: 100, populations: { pro: 60 } }, 'pro');
  const after = await reported({ k: 100, populations: { pro: 140 } }, 'pro');
  assert.deepEqual([before.sent, after.sent], ['general', 'pro']);
});
