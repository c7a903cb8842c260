// The randomised server label is memoised per epoch (label.epochDays, counted from 1970 UTC)
// and per true label: asking again within the epoch repeats the answer instead of drawing a
// new one that could be averaged with the first; a new epoch draws afresh and counts one more
// disclosure; the memo survives a reload; privacyReport's cumulative ε = disclosures × ε.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, reopen, makeCatalog, makeClock, seeded, storedBytes, DAY, T0 } from './helpers.js';

const catalog = makeCatalog({ n: 10, seed: 4 });
const base = {
  traits: { plan: ['a', 'b'] },
  segments: [{ label: 'A', when: { plan: ['a'] } }, { label: 'B', when: { plan: ['b'] } }],
  history: { retentionDays: 365 },
};
/* randomRate 1: every fresh draw is uniform over A, B, general, so repeats are not luck */
const noisy = { ...base, label: { randomRate: 1, epochDays: 7 } };
const EPOCH = 7 * DAY;
const epochStart = (t) => Math.floor(t / EPOCH) * EPOCH;

test('within an epoch asking again returns the same label, whatever the random source says, and counts one disclosure', async () => {
  const clock = makeClock(epochStart(T0) + 1);
  const { engine } = await open({ catalog, config: noisy, clock, random: seeded(11) });
  await engine.setTraits({ plan: 'a' });
  const first = engine.serverPayload();
  for (let i = 0; i < 200; i++) {
    clock.set(epochStart(T0) + 1 + Math.floor((i / 200) * (EPOCH - 2)));
    assert.deepEqual(engine.serverPayload(), first, `answer ${i} within the epoch differs`);
  }
  clock.set(epochStart(T0) + EPOCH - 1); /* the last millisecond of the epoch */
  assert.deepEqual(engine.serverPayload(), first);
  const r = engine.privacyReport().label;
  assert.equal(r.disclosures, 1);
  assert.equal(r.cumulativeEpsilon, r.epsilonPerEpoch * 1);
});

test('a memoised answer is repeated without storing anything new', async () => {
  const clock = makeClock();
  const { engine, storage } = await open({ catalog, config: noisy, clock, random: seeded(12) });
  await engine.setTraits({ plan: 'b' });
  engine.serverPayload();
  const before = await storedBytes(engine, storage);
  for (let i = 0; i < 20; i++) engine.serverPayload();
  assert.deepEqual(await storedBytes(engine, storage), before);
});

test('the first millisecond of the next epoch draws afresh and counts a second disclosure', async () => {
  const clock = makeClock(epochStart(T0) + EPOCH - 1);
  const { engine } = await open({ catalog, config: noisy, clock, random: seeded(13) });
  await engine.setTraits({ plan: 'a' });
  engine.serverPayload();
  assert.equal(engine.privacyReport().label.disclosures, 1);
  clock.advance(1);
  engine.serverPayload();
  assert.equal(engine.privacyReport().label.disclosures, 2);
  assert.equal((await engine.export()).serverLabel.epoch, Math.floor(clock.t / EPOCH));
});

test('new epochs draw fresh answers: over 60 epochs at randomRate 1 every label comes up and disclosures count each epoch', async () => {
  const clock = makeClock();
  const { engine } = await open({ catalog, config: noisy, clock, random: seeded(14) });
  const seen = new Map();
  for (let e = 0; e < 60; e++) {
    if (e > 0) clock.advance(EPOCH);
    await engine.setTraits({ plan: 'b' });
    const { segment } = engine.serverPayload();
    seen.set(segment, (seen.get(segment) ?? 0) + 1);
    assert.deepEqual(engine.serverPayload(), { segment }, 'repeated within the epoch');
    assert.equal(engine.privacyReport().label.disclosures, e + 1);
  }
  /* each label has probability 1/3 per epoch; missing one in 60 draws has probability < 1e-10 */
  assert.deepEqual([...seen.keys()].sort(), ['A', 'B', 'general']);
});

test('a reload keeps the memoised answer and the disclosure count (shared MemoryStorage)', async () => {
  const ctx = await open({ catalog, config: noisy, clock: makeClock(), random: seeded(15) });
  await ctx.engine.setTraits({ plan: 'a' });
  const first = ctx.engine.serverPayload();
  ctx.clock.advance(DAY);
  let again = await reopen(ctx, { random: seeded(999) });
  for (let i = 0; i < 20; i++) assert.deepEqual(again.engine.serverPayload(), first, 'the reload drew a new answer');
  assert.equal(again.engine.privacyReport().label.disclosures, 1);
  /* and the next epoch, after another reload, is a fresh draw counted on top */
  again.clock.advance(EPOCH);
  again = await reopen(again, { random: seeded(1000) });
  await again.engine.setTraits({ plan: 'a' });
  again.engine.serverPayload();
  assert.equal(again.engine.privacyReport().label.disclosures, 2);
});

test('a change of the true label within the epoch is a new answer and a new disclosure', async () => {
  const { engine } = await open({ catalog, config: noisy, clock: makeClock(), random: seeded(16) });
  await engine.setTraits({ plan: 'a' });
  engine.serverPayload();
  await engine.setTraits({ plan: 'b' });
  const b = engine.serverPayload();
  assert.equal(engine.privacyReport().label.disclosures, 2);
  assert.deepEqual((await engine.export()).serverLabel.answers.map((a) => a.truth), ['A', 'B']);
  assert.deepEqual(engine.serverPayload(), b);
  assert.equal(engine.privacyReport().label.disclosures, 2);
});

test('privacyReport: cumulative epsilon is disclosures × epsilon, for a configured epsilon and for randomRate', async () => {
  for (const label of [{ epsilon: 1.5 }, { randomRate: 0.05 }, { randomRate: 0.4, epochDays: 3 }]) {
    const clock = makeClock();
    const { engine } = await open({ catalog, config: { ...base, label }, clock, random: seeded(17) });
    const eps = engine.privacyReport().label.epsilonPerEpoch;
    assert.equal(engine.privacyReport().label.cumulativeEpsilon, 0, 'nothing disclosed yet');
    await engine.setTraits({ plan: 'a' });
    for (let d = 1; d <= 5; d++) {
      engine.serverPayload();
      engine.serverPayload();
      const r = engine.privacyReport().label;
      assert.equal(r.disclosures, d);
      assert.ok(Math.abs(r.cumulativeEpsilon - d * eps) < 1e-9, `${JSON.stringify(label)}: ${r.cumulativeEpsilon} after ${d}`);
      clock.advance((label.epochDays ?? 7) * DAY);
      await engine.setTraits({ plan: 'a' });
    }
  }
});

test('at level none nothing is reported and nothing is counted as disclosed', async () => {
  const { engine } = await open({ catalog, config: { ...noisy, privacyLevel: 'none' }, clock: makeClock(), random: seeded(18) });
  for (let i = 0; i < 5; i++) assert.equal(engine.serverPayload(), null);
  assert.equal(engine.privacyReport().label.disclosures, 0);
  assert.equal(engine.privacyReport().label.cumulativeEpsilon, 0);
});

/* The memo keeps one answer per true label per epoch: a label that changes A → B → A within one
 * epoch gets A's first answer again, so flipping a trait back and forth cannot collect
 * independent answers for the same true label to average. */
test('within an epoch a true label that comes back gets its first answer again', async () => {
  const { engine } = await open({ catalog, config: noisy, clock: makeClock(), random: seeded(19) });
  const answers = [];
  for (let i = 0; i < 12; i++) {
    await engine.setTraits({ plan: 'a' });
    answers.push(engine.serverPayload().segment);
    await engine.setTraits({ plan: 'b' });
    engine.serverPayload();
  }
  assert.deepEqual(new Set(answers).size, 1, `answers for A within one epoch: ${answers.join(', ')}`);
});

test('an ended epoch\'s answer is deleted from memory and from the stored snapshot on the next call; the disclosure count stays', async () => {
  const ctx = await open({ catalog, config: { ...noisy, history: { retentionDays: 30 } }, clock: makeClock(), random: seeded(16) });
  await ctx.engine.setTraits({ plan: 'a' });
  ctx.engine.serverPayload();
  assert.equal((await ctx.engine.export()).serverLabel.answers.length, 1);
  ctx.clock.advance(90 * DAY); /* past the epoch, and past the trait's retention */
  ctx.engine.recommend({ k: 3 }); /* any call that sees the clock */
  const label = (await ctx.engine.export()).serverLabel;
  assert.deepEqual(label.answers, [], 'no memoised answer in memory');
  assert.equal(label.disclosures, 1, 'the site still holds that report: it stays counted');
  const row = ctx.engine.inventory().find((r) => r.key === 'serverLabel');
  assert.equal(row.count, 0);
  assert.match(row.what, /none this epoch; 1 randomised answers given before/);
  assert.ok(Number.isNaN(row.expiresAt) || row.expiresAt === null, 'nothing left to expire');
  const again = await reopen(ctx);
  assert.deepEqual((await again.engine.export()).serverLabel.answers, [], 'the stored snapshot has no answer either');
  assert.equal(again.engine.privacyReport().label.disclosures, 1);
});
