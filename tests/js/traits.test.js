import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeCatalog, makeClock, itemId, bytesContain, exportBody, seeded,
  expectCode, expectRejectedUnchanged, DAY, T0,
} from './helpers.js';

const catalog = makeCatalog({ n: 30, seed: 5 });
const traits = { plan: ['free', 'pro', 'team'], industry: ['finance', 'retail', 'other'] };
const segments = [
  { label: 'pro-heavy', when: { plan: ['pro', 'team'], usage: ['heavy'] }, boost: { tags: { advanced: 0.5 } } },
  { label: 'finance-pro', when: { plan: ['pro'], industry: ['finance'] } },
  { label: 'pro', when: { plan: ['pro', 'team'] } },
  { label: 'retail', when: { industry: ['retail'] } },
  { label: 'newcomer', when: { usage: ['light'] }, boost: { tags: { basics: 0.8 } } },
];
/* randomRate 0: the server label is the true (k-gated) one, so tests can compare it */
const config = { traits, segments, defaultSegment: 'general', label: { randomRate: 0 } };

/** One view per day for `days` days, starting at the clock's current day. */
async function activeDays(engine, clock, days) {
  for (let d = 0; d < days; d++) {
    if (d > 0) clock.days(1);
    await engine.track({ item: itemId(d % 30), type: 'view' });
  }
}

test('an undeclared trait is refused with bad_trait, naming it, and changes nothing', async () => {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'pro' });
  let err = await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ country: 'fr' }), 'bad_trait');
  assert.match(err.message, /country/);
  err = await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ usage: 'heavy' }), 'bad_trait');
  assert.match(err.message, /usage/, 'usage is derived, not declared');
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ Plan: 'pro' }), 'bad_trait');
});

test('an undeclared value is refused with bad_trait, naming it, and changes nothing', async () => {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'team' });
  const err = await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: 'enterprise' }), 'bad_trait');
  assert.match(err.message, /enterprise/);
  assert.match(err.message, /plan/);
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: 'Pro' }), 'bad_trait');
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: '' }), 'bad_trait');
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: 'finance' }), 'bad_trait');
  assert.equal((await engine.export()).traits.plan.value, 'team');
});

test('a trait value that is not a string or null is refused with bad_trait', async () => {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'pro' });
  for (const value of [5, true, ['pro'], { value: 'pro' }]) {
    await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: value }), 'bad_trait');
  }
});

test('NaN or Infinity as a trait value is refused, not silently turned into null (which clears the trait)', async () => {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'pro' });
  for (const value of [NaN, Infinity, -Infinity]) {
    await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: value }), 'bad_trait');
  }
  assert.equal((await engine.export()).traits.plan?.value, 'pro');
});

test('a call with one bad key among good ones is refused as a whole', async () => {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'free' });
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ plan: 'pro', industry: 'mining' }), 'bad_trait');
  await expectRejectedUnchanged(engine, storage, () => engine.setTraits({ industry: 'retail', bogus: 'x' }), 'bad_trait');
  const ex = await engine.export();
  assert.equal(ex.traits.plan.value, 'free');
  assert.equal(ex.traits.industry, undefined);
});

test('null clears a trait; omitted traits are left as they are; the result persists', async () => {
  const ctx = await open({ catalog, config });
  const { engine } = ctx;
  await engine.setTraits({ plan: 'pro', industry: 'finance' });
  assert.equal(engine.segment(), 'finance-pro');
  await engine.setTraits({ industry: null });
  let ex = await engine.export();
  assert.equal(ex.traits.plan.value, 'pro');
  assert.equal(ex.traits.industry, undefined);
  assert.equal(engine.segment(), 'pro');
  await engine.setTraits({});
  assert.equal((await engine.export()).traits.plan.value, 'pro');
  await engine.setTraits({ plan: null, industry: null });
  assert.deepEqual((await engine.export()).traits, {});
  await engine.setTraits({ industry: 'other' });
  const again = await reopen(ctx);
  ex = await again.engine.export();
  assert.deepEqual(Object.keys(ex.traits), ['industry']);
  assert.equal(ex.traits.industry.value, 'other');
  assert.equal(ex.traits.industry.setAt, new Date(T0).toISOString());
  const row = again.engine.inventory().find((r) => r.key === 'traits');
  assert.equal(row.count, 1);
  assert.match(row.what, /industry = other/);
});

test('segment rules are ordered: the first matching rule wins', async () => {
  const { engine } = await open({ catalog, config });
  /* one day of activity: usage is light, so only "newcomer" matches before any trait is set */
  await engine.track({ item: itemId(1), type: 'view' });
  assert.equal(engine.segment(), 'newcomer');
  await engine.setTraits({ industry: 'retail' });
  assert.equal(engine.segment(), 'retail', 'retail comes before newcomer');
  await engine.setTraits({ plan: 'team' });
  assert.equal(engine.segment(), 'pro', 'pro comes before retail');
  await engine.setTraits({ plan: 'pro', industry: 'finance' });
  assert.equal(engine.segment(), 'finance-pro', 'finance-pro comes before pro');
  await engine.setTraits({ plan: 'free', industry: 'other' });
  assert.equal(engine.segment(), 'newcomer');

  const none = await open({ catalog, config: { traits, segments: [{ label: 'pros', when: { plan: ['pro'] } }] } });
  assert.equal(none.engine.segment(), 'general', 'the default label when nothing matches');
  const all = await open({ catalog, config: { traits, segments: [{ label: 'everyone' }, { label: 'pros', when: { plan: ['pro'] } }] } });
  await all.engine.setTraits({ plan: 'pro' });
  assert.equal(all.engine.segment(), 'everyone', 'a rule without conditions matches everybody');
});

test('the usage trait is derived from active days: light, then regular at 4 days, heavy at 12', async () => {
  const cfg = {
    traits,
    segments: [
      { label: 'heavy-users', when: { usage: ['heavy'] } },
      { label: 'regulars', when: { usage: ['regular'] } },
    ],
    defaultSegment: 'light-users',
  };
  const { engine, clock } = await open({ catalog, config: cfg });
  assert.equal(engine.segment(), 'light-users', 'no activity yet');
  const expected = (days) => (days >= 12 ? 'heavy-users' : days >= 4 ? 'regulars' : 'light-users');
  for (let day = 1; day <= 14; day++) {
    if (day > 1) clock.days(1);
    await engine.track({ item: itemId(day), type: 'view' });
    await engine.track({ item: itemId(day + 1), type: 'click' }); /* a second interaction that day counts once */
    assert.equal(engine.segment(), expected(day), `after ${day} active days`);
    const row = engine.inventory().find((r) => r.key === 'activity');
    assert.equal(row.count, day);
    assert.match(row.what, new RegExp(`usage: ${day >= 12 ? 'heavy' : day >= 4 ? 'regular' : 'light'}`));
  }
  /* idle days do not count, and days older than 30 fall out */
  clock.days(15);
  assert.equal(engine.segment(), 'heavy-users', '14 active days in the last 30');
  clock.days(8);
  assert.equal(engine.segment(), 'regulars', 'the first days have fallen out of the 30-day window');
});

test('usage.regularDays and usage.heavyDays are honoured, and usage combines with traits', async () => {
  const { engine, clock } = await open({ catalog, config: { ...config, usage: { regularDays: 2, heavyDays: 3 } } });
  await engine.setTraits({ plan: 'team' });
  await activeDays(engine, clock, 2);
  assert.equal(engine.segment(), 'pro');
  clock.days(1);
  await engine.track({ item: itemId(3), type: 'view' });
  assert.equal(engine.segment(), 'pro-heavy');
  assert.deepEqual(engine.serverPayload(), { segment: 'pro-heavy' });
});

test('at the segment level usage is still derived (activity is kept), and traits still apply', async () => {
  const { engine, clock } = await open({ catalog, config: { ...config, privacyLevel: 'segment' } });
  await engine.setTraits({ plan: 'pro' });
  await activeDays(engine, clock, 12);
  assert.equal(engine.segment(), 'pro-heavy');
});

test('at level none traits are ignored and the segment is the default', async () => {
  const { engine } = await open({ catalog, config: { ...config, privacyLevel: 'none' } });
  await engine.setTraits({ plan: 'pro', industry: 'finance' });
  assert.deepEqual((await engine.export()).traits, {});
  assert.equal(engine.segment(), 'general');
  /* validation still applies at none */
  await expectCode(() => engine.setTraits({ bogus: 'x' }), 'bad_trait');
});

test('serverPayload is exactly { segment } at every level above none, and null at none', async () => {
  const { engine, clock } = await open({ catalog, config });
  await engine.setTraits({ plan: 'pro', industry: 'finance' });
  await activeDays(engine, clock, 3);
  for (const level of ['segment', 'behavioral', 'contextual', 'individual']) {
    await engine.setPrivacyLevel(level);
    await engine.setTraits({ plan: 'pro', industry: 'finance' });
    const payload = engine.serverPayload();
    assert.deepEqual(Object.keys(payload), ['segment'], `nothing but the label at ${level}`);
    assert.equal(JSON.stringify(payload), JSON.stringify({ segment: engine.segment() }));
    assert.equal(typeof payload.segment, 'string');
  }
  await engine.setPrivacyLevel('none');
  assert.equal(engine.serverPayload(), null);
  assert.equal(JSON.stringify(engine.serverPayload()), 'null');
});

test('k-anonymity: a label with a published population below k is reported as the default label', async () => {
  const cfg = { ...config, label: { randomRate: 0, k: 50, populations: { pro: 49, 'finance-pro': 5000, general: 100000 } } };
  const { engine } = await open({ catalog, config: cfg });
  await engine.setTraits({ plan: 'team' });
  assert.equal(engine.segment(), 'pro', 'the local label is the true one');
  assert.deepEqual(engine.serverPayload(), { segment: 'general' });
  await engine.setTraits({ plan: 'pro', industry: 'finance' });
  assert.deepEqual(engine.serverPayload(), { segment: 'finance-pro' });
  await engine.setTraits({ plan: null, industry: 'retail' });
  assert.deepEqual(engine.serverPayload(), { segment: 'general' }, 'an unlisted label counts as 0');
  assert.equal(engine.privacyReport().label.kAnonymityEnforced, true);
});

test('the randomised label is memoised per epoch, also across reloads, so it cannot be averaged away', async () => {
  const rand = seeded(42);
  const cfg = { ...config, label: { randomRate: 1, epochDays: 7 } };
  const ctx = await open({ catalog, config: cfg, random: rand, clock: makeClock(T0) });
  const { engine, clock } = ctx;
  await engine.setTraits({ plan: 'pro' });
  const first = engine.serverPayload();
  for (let i = 0; i < 30; i++) assert.deepEqual(engine.serverPayload(), first);
  assert.equal(engine.privacyReport().label.disclosures, 1);
  const again = await reopen(ctx, { random: seeded(7) });
  for (let i = 0; i < 10; i++) assert.deepEqual(again.engine.serverPayload(), first);
  assert.equal(again.engine.privacyReport().label.disclosures, 1);

  /* a new epoch draws again; over many epochs the answers differ (it is randomised) */
  const seen = new Set([first.segment]);
  for (let e = 1; e <= 40; e++) {
    clock.set(T0 + e * 7 * DAY);
    await again.engine.setTraits({ plan: 'pro' }); /* keep the trait within retention */
    seen.add(again.engine.serverPayload().segment);
  }
  assert.ok(seen.size > 1, 'randomRate 1 never changed the reported label');
  const report = again.engine.privacyReport().label;
  assert.equal(report.disclosures, 41);
  if (report.epsilonPerEpoch !== null) assert.equal(report.cumulativeEpsilon, report.epsilonPerEpoch * 41);
});

test('a trait no longer declared in the config is dropped on open, also from the stored copy', async () => {
  const ctx = await open({ catalog, config });
  await ctx.engine.setTraits({ plan: 'pro', industry: 'retail' });
  const { engine, storage } = await reopen(ctx, { config: { traits: { plan: traits.plan } } });
  assert.deepEqual(Object.keys((await exportBody(engine)).traits), ['plan']);
  assert.equal(bytesContain(storage.peek('default'), 'industry'), false, 'the undeclared trait is still stored');
  assert.equal(bytesContain(storage.peek('default'), 'retail'), false, 'the undeclared trait is still stored');
});

test('privacyReport states epsilon per epoch as documented, for randomRate and for a configured epsilon', async () => {
  const m = segments.length + 1;
  const r = 0.05;
  const a = await open({ catalog, config: { ...config, label: { randomRate: r } } });
  const la = a.engine.privacyReport().label;
  assert.equal(la.labels, m);
  assert.ok(Math.abs(la.epsilonPerEpoch - Math.log(1 + (m * (1 - r)) / r)) < 1e-9, `${la.epsilonPerEpoch}`);
  const b = await open({ catalog, config: { ...config, label: { epsilon: 1.5 } } });
  const lb = b.engine.privacyReport().label;
  assert.ok(Math.abs(lb.epsilonPerEpoch - 1.5) < 1e-9, `${lb.epsilonPerEpoch}`);
  assert.ok(Math.abs(lb.keepProbability - Math.exp(1.5) / (Math.exp(1.5) + m - 1)) < 1e-12);
  assert.equal(lb.disclosures, 0);
  assert.equal(lb.cumulativeEpsilon, 0);
  await b.engine.setTraits({ plan: 'pro' });
  b.engine.serverPayload();
  assert.ok(Math.abs(b.engine.privacyReport().label.cumulativeEpsilon - 1.5) < 1e-9);
  const none = await open({ catalog, config: { ...config, label: { randomRate: 0 } } });
  assert.equal(none.engine.privacyReport().label.epsilonPerEpoch, null, 'no noise: epsilon is unbounded (null)');
});
