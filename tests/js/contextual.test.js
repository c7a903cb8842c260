/**
 * The contextual level: site context rules, the coarse bucket stored per interaction, learned
 * per-bucket affinities with shrinkage, session intent, context validation and the context the
 * glue fills in from the clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeClock, MemoryStorage, expectCode, expectRejectedUnchanged, storedBytes, HOUR, DAY,
} from './helpers.js';

const MINUTE = 60_000;
const TAGS = ['sport', 'news', 'briefing', 'food', 'travel', 'work', 'promo', 'tech'];

/** 32 items that score the same at level none: one tag each, round-robin over TAGS. */
const catalog = {
  version: 1,
  items: Array.from({ length: 32 }, (_, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    title: `Story ${i}`,
    tags: [TAGS[i % TAGS.length]],
    popularity: 100,
  })),
};
/** The items carrying `tag`, in catalog order. */
const withTag = (tag) => catalog.items.filter((it) => it.tags.includes(tag)).map((it) => it.id);
const first = (tag) => withTag(tag)[0];
const tagOf = (id) => TAGS[Number(id.slice(1)) % TAGS.length];

/** A time in the machine's local time zone: Monday 5 January 2026 + `day` days, at `hour`. */
const local = (day, hour, minute = 0) => new Date(2026, 0, 5 + day, hour, minute, 0).getTime();

/** Diversity off: these tests are about the order by score. */
const cfg = (extra = {}) => ({ privacyLevel: 'contextual', ...extra, ranking: { diversity: 0, ...(extra.ranking ?? {}) } });

const openAt = (time, config, rest = {}) => open({ catalog, config, clock: makeClock(time), ...rest });

/** The summed weight of contributions with this signal (and tag, when given). */
function weightOf(x, signal, tag) {
  return x.contributions.filter((c) => c.signal === signal && (tag === undefined || c.tag === tag))
    .reduce((s, c) => s + c.weight, 0);
}
const contextRule = (x) => x.contributions.filter((c) => c.signal === 'context' && !/^(Often read|Less your)/.test(c.reason));
const learned = (x) => x.contributions.filter((c) => c.signal === 'context' && /^(Often read|Less your)/.test(c.reason));
const session = (x) => x.contributions.filter((c) => c.signal === 'session');
const sum = (x) => x.contributions.reduce((s, c) => s + c.weight, 0);

const rules = [
  { when: { daypart: ['morning'] }, boost: { tags: { briefing: 0.3 } } },
  { when: { weekday: ['sat'] }, boost: { tags: { food: 0.3 } } },
  { when: { weekday: ['weekend'] }, boost: { tags: { travel: 0.2 } } },
  { when: { weekday: ['weekday'] }, boost: { tags: { work: 0.2 } } },
  { when: { device: ['mobile'] }, boost: { tags: { sport: 0.4 } } },
  { when: { referrer: ['email'] }, boost: { tags: { news: 0.25 } } },
  { when: { campaign: ['spring'] }, boost: { tags: { promo: 0.5 } } },
  { when: { daypart: ['evening'], device: ['tablet'] }, boost: { tags: { tech: 0.35 } } },
];
const ruleConfig = cfg({ context: { keys: ['campaign'], rules } });

/* --- site rules ------------------------------------------------------------------------------ */

test('a context rule boosts its tags exactly when all of its conditions hold', async () => {
  const { engine } = await openAt(local(0, 12), ruleConfig); /* Monday noon: afternoon */
  const cases = [
    /* tag, context, expected boost */
    ['briefing', { hour: 8 }, 0.3],
    ['briefing', { hour: 5 }, 0.3],
    ['briefing', { hour: 11 }, 0.3],
    ['briefing', { hour: 12 }, 0],
    ['briefing', { hour: 4 }, 0],
    ['briefing', { hour: 20 }, 0],
    ['briefing', { daypart: 'morning' }, 0.3],
    ['briefing', { daypart: 'evening' }, 0],
    ['food', { weekday: 6 }, 0.3],
    ['food', { weekday: 'sat' }, 0.3],
    ['food', { weekday: 0 }, 0],
    ['food', { weekday: 'fri' }, 0],
    ['travel', { weekday: 0 }, 0.2],
    ['travel', { weekday: 'sat' }, 0.2],
    ['travel', { weekday: 3 }, 0],
    ['work', { weekday: 1 }, 0.2],
    ['work', { weekday: 'fri' }, 0.2],
    ['work', { weekday: 'sun' }, 0],
    ['work', { weekday: 6 }, 0],
    ['sport', { device: 'mobile' }, 0.4],
    ['sport', { device: 'desktop' }, 0],
    ['sport', { device: 'tablet' }, 0],
    ['sport', {}, 0],
    ['news', { referrer: 'email' }, 0.25],
    ['news', { referrer: 'search' }, 0],
    ['news', {}, 0],
    ['promo', { campaign: 'spring' }, 0.5],
    ['promo', { campaign: 'autumn' }, 0],
    ['promo', {}, 0],
    ['tech', { hour: 19, device: 'tablet' }, 0.35],
    ['tech', { hour: 19, device: 'mobile' }, 0],
    ['tech', { hour: 9, device: 'tablet' }, 0],
    ['tech', { device: 'tablet' }, 0], /* the clock says afternoon */
  ];
  for (const [tag, context, want] of cases) {
    for (const id of withTag(tag)) {
      const x = engine.explain(id, context);
      const got = contextRule(x).filter((c) => c.tag === tag).reduce((s, c) => s + c.weight, 0);
      assert.ok(Math.abs(got - want) < 1e-12, `${tag} in ${JSON.stringify(context)}: boost ${got}, want ${want}`);
      assert.equal(sum(x), x.score, `${id}: contributions add up`);
    }
  }
  /* and the boosted items lead the list */
  const mobile = engine.recommend({ k: 4, context: { device: 'mobile' } });
  assert.deepEqual(mobile.map((r) => r.id), withTag('sport'));
  const plain = engine.recommend({ k: 4, context: { device: 'desktop' } });
  assert.ok(plain.every((r) => tagOf(r.id) !== 'sport'), 'without the condition sport is not boosted');
  const spring = engine.recommend({ k: 4, context: { campaign: 'spring', device: 'mobile' } });
  assert.deepEqual(spring.map((r) => r.id), withTag('promo'), 'the larger boost wins');
});

test('explain and recommend name the situation a rule was written for', async () => {
  const cases = [
    [{ daypart: ['morning'] }, 'briefing', { hour: 8 }, /^Suggested for the morning/],
    [{ weekday: ['sat'] }, 'food', { weekday: 6 }, /^Suggested for Saturdays/],
    [{ device: ['mobile'] }, 'sport', { device: 'mobile' }, /^Suggested for mobile readers/],
    [{ referrer: ['email'] }, 'news', { referrer: 'email' }, /^Suggested for visitors from email/],
    [{ campaign: ['spring'] }, 'promo', { campaign: 'spring' }, /^Suggested for .*spring/],
  ];
  for (const [when, tag, context, text] of cases) {
    const { engine } = await openAt(local(0, 14), cfg({ context: { keys: ['campaign'], rules: [{ when, boost: { tags: { [tag]: 0.5 } } }] } }));
    const x = engine.explain(first(tag), context);
    const rule = contextRule(x);
    assert.equal(rule.length, 1, `${JSON.stringify(when)}: one context contribution`);
    assert.equal(rule[0].level, 'contextual');
    assert.equal(rule[0].tag, tag);
    assert.match(rule[0].reason, text);
    const top = engine.recommend({ k: 1, context })[0];
    assert.equal(tagOf(top.id), tag);
    assert.ok(top.reasons.some((r) => text.test(r)), `recommend reasons ${JSON.stringify(top.reasons)}`);
  }
});

test('when two rules hold, each boosted item names the rule that boosted it', async () => {
  const { engine } = await openAt(local(0, 8), cfg({
    context: { rules: [
      { when: { daypart: ['morning'] }, boost: { tags: { briefing: 0.3 } } },
      { when: { device: ['mobile'] }, boost: { tags: { sport: 0.4 } } },
    ] },
  }));
  const ctx = { device: 'mobile' }; /* the clock says morning */
  const briefing = contextRule(engine.explain(first('briefing'), ctx));
  assert.equal(briefing.length, 1);
  assert.match(briefing[0].reason, /morning/);
  const sport = contextRule(engine.explain(first('sport'), ctx));
  assert.equal(sport.length, 1);
  assert.match(sport[0].reason, /mobile/, `the sport boost comes from the mobile rule, reason: ${sport[0].reason}`);
  assert.doesNotMatch(sport[0].reason, /morning/);
});

test("a rule listing several values names the one that held, not the rule's first", async () => {
  const { engine } = await openAt(local(0, 14), cfg({
    context: { keys: ['campaign'], rules: [
      { when: { referrer: ['search', 'email'] }, boost: { tags: { news: 0.3 } } },
      { when: { campaign: ['spring', 'summer'] }, boost: { tags: { promo: 0.3 } } },
    ] },
  }));
  const news = contextRule(engine.explain(first('news'), { referrer: 'email' }));
  assert.equal(news.length, 1);
  assert.match(news[0].reason, /email/, `reason: ${news[0].reason}`);
  assert.doesNotMatch(news[0].reason, /search/);
  const promo = contextRule(engine.explain(first('promo'), { campaign: 'summer' }));
  assert.equal(promo.length, 1);
  assert.match(promo[0].reason, /summer/, `reason: ${promo[0].reason}`);
});

test('at behavioral and below, context rules do nothing', async () => {
  const full = { hour: 8, weekday: 6, device: 'mobile', referrer: 'email', campaign: 'spring' };
  for (const level of ['none', 'segment', 'behavioral']) {
    const { engine } = await openAt(local(5, 8), { ...ruleConfig, privacyLevel: level }); /* Saturday morning */
    for (const it of catalog.items) {
      const x = engine.explain(it.id, full);
      assert.ok(x.contributions.every((c) => c.level !== 'contextual' && c.signal !== 'context'),
        `${level} ${it.id}: ${JSON.stringify(x.contributions)}`);
      assert.equal(x.score, engine.explain(it.id).score);
    }
    assert.deepEqual(engine.recommend({ k: 10, context: full, seed: 1 }), engine.recommend({ k: 10, seed: 1 }), level);
  }
});

/* --- the stored bucket ----------------------------------------------------------------------- */

test('an interaction keeps a coarse context bucket only at contextual and up', async () => {
  const ctx = await openAt(local(0, 20), cfg({ privacyLevel: 'behavioral' }));
  const { engine, clock, storage } = ctx;
  await engine.track({ item: 'c00', type: 'click' }, { device: 'mobile', hour: 20 });
  assert.equal((await engine.export()).history[0].bucket, 0, 'behavioral stores no bucket');
  assert.ok(!engine.inventory().some((r) => r.key === 'contextBuckets'));

  await engine.setPrivacyLevel('contextual');
  const contexts = [
    { device: 'mobile', hour: 20 },
    { device: 'mobile', hour: 18 }, /* also evening */
    { device: 'desktop', hour: 20 },
    { device: 'tablet', hour: 8 },
    { device: 'tablet', daypart: 'morning' },
    { hour: 20 }, /* no device: the daypart alone */
    { device: 'mobile', hour: 20, referrer: 'search', weekday: 2 }, /* referrer and weekday are not kept */
  ];
  for (let i = 0; i < contexts.length; i++) {
    clock.advance(MINUTE);
    await engine.track({ item: `c0${i + 1}`, type: 'view' }, contexts[i]);
  }
  const b = (await engine.export()).history.slice(1).map((h) => h.bucket);
  assert.ok(b[0] > 0, `a bucket is stored: ${b}`);
  assert.equal(b[1], b[0], 'hours of one daypart share a bucket');
  assert.notEqual(b[2], b[0], 'another device is another bucket');
  assert.ok(b[2] > 0 && b[3] > 0);
  assert.notEqual(b[3], b[0]);
  assert.notEqual(b[3], b[2]);
  assert.equal(b[4], b[3], 'daypart given directly or from the hour is the same bucket');
  assert.ok(b[5] > 0 && ![b[0], b[2], b[3]].includes(b[5]), `without a device class the daypart alone is kept: ${b}`);
  assert.equal(b[6], b[0], 'only daypart x device is kept');
  assert.ok(b.every((x) => Number.isInteger(x) && x >= 0 && x <= 16), `buckets are small codes (4 dayparts x 3 devices, and 4 dayparts alone): ${b}`);

  const row = engine.inventory().find((r) => r.key === 'contextBuckets');
  assert.ok(row, 'inventory lists the buckets');
  assert.equal(row.count, 7, "every interaction at contextual, one of them with its daypart alone");
  assert.equal(row.level, 'contextual');
  assert.equal(row.stored, true);
  assert.equal(row.leavesDevice, false);

  /* reload: the buckets are part of the stored profile */
  const again = await reopen(ctx);
  assert.deepEqual((await again.engine.export()).history.slice(1).map((h) => h.bucket), b);
  assert.equal(storage, again.storage);
});

test('downgrading to behavioral clears every bucket from memory and from the stored copy at once', async () => {
  const { engine, clock, storage } = await openAt(local(0, 20), cfg());
  for (let i = 0; i < 4; i++) {
    clock.advance(MINUTE);
    await engine.track({ item: `c0${i}`, type: 'click' }, { device: i % 2 ? 'mobile' : 'desktop', hour: 8 + 4 * i });
  }
  assert.ok((await engine.export()).history.every((h) => h.bucket > 0), 'set-up: buckets stored');
  await storedBytes(engine, storage);

  await engine.setPrivacyLevel('behavioral');
  const bytes = storage.peek('default'); /* no flush: a downgrade reaches storage before it resolves */
  const ex = await engine.export();
  assert.equal(ex.history.length, 4, 'the interactions themselves stay');
  assert.deepEqual(ex.history.map((h) => h.bucket), [0, 0, 0, 0]);
  assert.ok(!engine.inventory().some((r) => r.key === 'contextBuckets' || r.key === 'session'));

  const copy = new MemoryStorage();
  await copy.save('default', bytes);
  const stored = await openAt(clock.t, cfg(), { storage: copy });
  const sx = await stored.engine.export();
  assert.equal(sx.level, 'behavioral');
  assert.deepEqual(sx.history.map((h) => h.bucket), [0, 0, 0, 0], 'the stored copy still holds buckets');

  /* raising the level again never brings them back */
  await engine.setPrivacyLevel('contextual');
  assert.deepEqual((await engine.export()).history.map((h) => h.bucket), [0, 0, 0, 0]);
  assert.equal(engine.inventory().find((r) => r.key === 'contextBuckets').count, 0);
});

/* --- learned context ------------------------------------------------------------------------- */

/** Clicks on items of `tag` in `context`, one a minute, starting at item `from` of that tag. */
async function clicks(engine, clock, tag, n, context, from = 0) {
  const ids = withTag(tag).slice(from, from + n);
  assert.equal(ids.length, n, `set-up: ${n} items tagged ${tag}`);
  for (const item of ids) {
    clock.advance(MINUTE);
    await engine.track({ item, type: 'click' }, context);
  }
}

const mobileEvening = { device: 'mobile', hour: 20 };
const desktopMorning = { device: 'desktop', hour: 9 };

test('interests concentrated in one context rank higher in that context than in another', async () => {
  const wide = { ...catalog, items: catalog.items.concat(Array.from({ length: 32 }, (_, i) => ({
    id: `d${String(i).padStart(2, '0')}`, title: `More ${i}`, tags: [TAGS[i % TAGS.length]], popularity: 100,
  }))) };
  const all = (tag) => wide.items.filter((it) => it.tags[0] === tag).map((it) => it.id);
  const { engine, clock } = await open({ catalog: wide, config: cfg(), clock: makeClock(local(0, 7)) });
  /* sport on mobile in the evening; a little more news, on desktop in the morning */
  for (const item of all('sport').slice(0, 4)) {
    clock.advance(MINUTE);
    await engine.track({ item, type: 'click' }, mobileEvening);
  }
  for (const item of all('news').slice(0, 5)) {
    clock.advance(MINUTE);
    await engine.track({ item, type: 'click' }, desktopMorning);
  }
  clock.advance(2 * HOUR); /* the session is over: only stored data speaks */
  const sport = all('sport')[5]; /* never seen */
  const news = all('news')[7];
  const inEvening = engine.explain(sport, mobileEvening);
  const inMorning = engine.explain(sport, desktopMorning);
  assert.ok(inEvening.score > inMorning.score, `sport: ${inEvening.score} on mobile evenings vs ${inMorning.score}`);
  const lift = learned(inEvening);
  assert.equal(lift.length, 1, JSON.stringify(inEvening.contributions));
  assert.ok(lift[0].weight > 0);
  assert.equal(lift[0].level, 'contextual');
  assert.equal(lift[0].tag, 'sport');
  assert.match(lift[0].reason, /^Often read on mobile in the evening/);
  assert.equal(sum(inEvening), inEvening.score);
  assert.equal(session(inEvening).length, 0, 'no session after two hours');
  /* the news item, the other way round */
  assert.ok(engine.explain(news, desktopMorning).score > engine.explain(news, mobileEvening).score);
  assert.ok(weightOf(engine.explain(news, mobileEvening), 'context', 'news') < 0);
  /* in the ranking: sport climbs on mobile evenings */
  const rankIn = (context) => engine.recommend({ k: 64, context, seed: 1 }).findIndex((r) => r.id === sport);
  assert.ok(rankIn(mobileEvening) < rankIn(desktopMorning), `${rankIn(mobileEvening)} vs ${rankIn(desktopMorning)}`);
  assert.equal(tagOf(engine.recommend({ k: 1, context: mobileEvening })[0].id), 'sport', 'sport leads on mobile evenings');
  assert.equal(tagOf(engine.recommend({ k: 1, context: desktopMorning })[0].id), 'news', 'news leads on desktop mornings');
  assert.ok(inEvening.rank < inMorning.rank);
  /* another bucket with no data of its own changes nothing */
  const tabletNight = engine.explain(sport, { device: 'tablet', hour: 2 });
  assert.equal(learned(tabletNight).length, 0);

  /* at behavioral the same history, with its buckets deleted, ranks alike in every context */
  await engine.setPrivacyLevel('behavioral');
  assert.equal(engine.explain(sport, mobileEvening).score, engine.explain(sport, desktopMorning).score);
});

test('with little data in a context the learned effect is small (shrinkage)', async () => {
  async function effect(nSport) {
    const { engine, clock } = await openAt(local(0, 7), cfg());
    await clicks(engine, clock, 'sport', nSport, mobileEvening);
    await clicks(engine, clock, 'news', 4, desktopMorning);
    clock.advance(2 * HOUR);
    const x = engine.explain(withTag('sport')[3], mobileEvening);
    return weightOf(x, 'context', 'sport');
  }
  const one = await effect(1);
  const three = await effect(3);
  assert.ok(one > 0, `one interaction still counts a little: ${one}`);
  assert.ok(one < 0.05, `one interaction moves the score by less than 0.05: ${one}`);
  assert.ok(three > one, `more data in the bucket, a larger effect: ${three} vs ${one}`);
});

test('when every interaction is in one context, learning per context adds nothing', async () => {
  for (const n of [1, 2, 3]) {
    const { engine, clock } = await openAt(local(0, 20), cfg());
    await clicks(engine, clock, 'sport', n, { device: 'mobile' });
    clock.advance(HOUR);
    for (const id of withTag('sport').slice(n)) {
      const x = engine.explain(id, { device: 'mobile' });
      for (const c of learned(x)) assert.ok(Math.abs(c.weight) < 1e-9, `${n}: ${c.reason} ${c.weight}`);
    }
    for (const r of engine.recommend({ k: 10, context: { device: 'mobile' } })) {
      assert.ok(!r.reasons.some((t) => /^Often read/.test(t)), `${n} ${r.id}: the bucket is the whole history, yet ${JSON.stringify(r.reasons)}`);
    }
  }
});

/* --- session intent -------------------------------------------------------------------------- */

test('items clicked in this session lift their tags for the next ranking, until 30 minutes pass', async () => {
  const { engine, clock } = await openAt(local(0, 10), cfg());
  const before = engine.explain(withTag('tech')[1]);
  assert.equal(session(before).length, 0);
  await engine.track({ item: first('tech'), type: 'click' });
  clock.advance(MINUTE);
  const x = engine.explain(withTag('tech')[1]);
  const s = session(x);
  assert.equal(s.length, 1, JSON.stringify(x.contributions));
  assert.ok(s[0].weight > 0);
  assert.equal(s[0].level, 'contextual');
  assert.equal(s[0].tag, 'tech');
  assert.match(s[0].reason, /Story 7/, 'names what was just read');
  assert.equal(sum(x), x.score);
  assert.equal(session(engine.explain(first('food'))).length, 0, 'other tags are not lifted');
  const top = engine.recommend({ k: 3 });
  assert.ok(top.every((r) => tagOf(r.id) === 'tech'), JSON.stringify(top.map((r) => r.id)));
  assert.ok(top[0].reasons.some((r) => r.includes('Story 7')), JSON.stringify(top[0].reasons));

  /* the newest interest weighs most */
  await engine.track({ item: first('food'), type: 'click' });
  clock.advance(MINUTE);
  assert.ok(weightOf(engine.explain(withTag('food')[1]), 'session') > weightOf(engine.explain(withTag('tech')[1]), 'session'));

  /* 29 quiet minutes: still the same visit; past 30: gone */
  clock.advance(28 * MINUTE);
  assert.ok(session(engine.explain(withTag('food')[1])).length === 1);
  clock.advance(3 * MINUTE);
  const later = engine.explain(withTag('tech')[1]);
  assert.equal(session(later).length, 0, JSON.stringify(later.contributions));
  assert.equal(session(engine.explain(withTag('food')[1])).length, 0);
  assert.ok(engine.recommend({ k: 10 }).every((r) => !r.reasons.some((t) => t.startsWith('Because you just read'))));
  /* activity starts a new visit */
  await engine.track({ item: withTag('travel')[0], type: 'view' });
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('travel')[1])).length, 1);
  assert.equal(session(engine.explain(withTag('food')[1])).length, 0, 'the old visit does not come back');
});

test('an interaction recorded late (an earlier `at`) does not end the visit in progress', async () => {
  const { engine, clock } = await openAt(local(0, 10), cfg());
  await engine.track({ item: first('tech'), type: 'click' });
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 1, 'set-up: a session');
  /* a view from an hour ago, delivered now (a queued event) */
  await engine.track({ item: first('food'), type: 'view', at: clock.t - HOUR });
  const x = engine.explain(withTag('tech')[1]);
  assert.equal(session(x).length, 1, `the visit is still going on: ${JSON.stringify(x.contributions)}`);
});

test('the session is never stored: not in the export, not in the snapshot', async () => {
  const ctx = await openAt(local(0, 10), cfg());
  const { engine, clock } = ctx;
  await engine.track({ item: first('tech'), type: 'click' });
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 1, 'set-up: a session');
  const row = engine.inventory().find((r) => r.key === 'session');
  assert.ok(row, 'inventory lists the session');
  assert.equal(row.stored, false);
  assert.equal(row.level, 'contextual');
  assert.equal(row.leavesDevice, false);

  const ex = await engine.export();
  assert.ok(!('session' in ex));
  assert.ok(!JSON.stringify(ex).includes('session'));
  /* a reload a minute later: the stored profile has the interaction but no session */
  const again = await reopen(ctx);
  assert.equal((await again.engine.export()).history.length, 1);
  const x = again.engine.explain(withTag('tech')[1]);
  assert.equal(session(x).length, 0, JSON.stringify(x.contributions));
  /* importing the export does not bring one either */
  const other = await openAt(ctx.clock.t, cfg());
  await other.engine.import(ex);
  assert.equal(session(other.engine.explain(withTag('tech')[1])).length, 0);
});

test('the session is dropped on a downgrade below contextual and on forget', async () => {
  const { engine, clock } = await openAt(local(0, 10), cfg());
  await engine.track({ item: first('tech'), type: 'click' });
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 1, 'set-up');
  await engine.setPrivacyLevel('individual'); /* up: the session stays */
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 1, 'raising the level keeps the visit');
  await engine.setPrivacyLevel('contextual');
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 1, 'contextual keeps a session');
  await engine.setPrivacyLevel('behavioral');
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 0);
  await engine.setPrivacyLevel('contextual');
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('tech')[1])).length, 0, 'the dropped session does not come back');

  await engine.track({ item: first('food'), type: 'click' });
  clock.advance(MINUTE);
  assert.equal(session(engine.explain(withTag('food')[1])).length, 1, 'set-up: a new session');
  await engine.forget();
  assert.equal(engine.level, 'contextual');
  assert.equal(session(engine.explain(withTag('food')[1])).length, 0, 'forget drops the session');

  /* at behavioral nothing starts a session */
  await engine.setPrivacyLevel('behavioral');
  await engine.track({ item: withTag('food')[2], type: 'click' });
  await engine.setPrivacyLevel('contextual');
  assert.equal(session(engine.explain(withTag('food')[1])).length, 0);
});

/* --- validation and the glue's context ------------------------------------------------------- */

test('a bad context is refused with bad_argument naming the key, and changes nothing', async () => {
  const { engine, storage, clock } = await openAt(local(0, 10), cfg({ context: { keys: ['campaign'] } }));
  await engine.track({ item: 'c00', type: 'click' }, { device: 'mobile' });
  clock.advance(MINUTE);
  const bad = [
    [{ colour: 'red' }, 'colour'],
    [{ hour: '8' }, 'hour'],
    [{ hour: 24 }, 'hour'],
    [{ hour: -1 }, 'hour'],
    [{ hour: 7.5 }, 'hour'],
    [{ hour: null }, 'hour'],
    [{ weekday: 7 }, 'weekday'],
    [{ weekday: 'funday' }, 'weekday'],
    [{ weekday: true }, 'weekday'],
    [{ daypart: 'noon' }, 'daypart'],
    [{ device: 'watch' }, 'device'],
    [{ device: 1 }, 'device'],
    [{ referrer: 'tv' }, 'referrer'],
    [{ campaign: 5 }, 'campaign'],
    [{ campaign: '' }, 'campaign'],
  ];
  for (const [context, key] of bad) {
    await expectRejectedUnchanged(engine, storage, () => engine.track({ item: 'c01', type: 'click' }, context), 'bad_argument');
    await expectCode(() => engine.track({ item: 'c01', type: 'click' }, context), 'bad_argument', key);
    await expectCode(() => engine.recommend({ k: 3, context }), 'bad_argument', key);
    await expectCode(() => engine.explain('c01', context), 'bad_argument', key);
  }
  for (const notObject of ['morning', 5, [], [{ hour: 8 }]]) {
    await expectCode(() => engine.recommend({ context: notObject }), 'bad_argument', 'context');
    await expectCode(() => engine.explain('c01', notObject), 'bad_argument', 'context');
    await expectCode(() => engine.track({ item: 'c01', type: 'click' }, notObject), 'bad_argument', 'context');
  }
  assert.equal((await engine.export()).history.length, 1);
  /* the good ones pass */
  engine.recommend({ context: { hour: 0, weekday: 'sun', daypart: 'night', device: 'tablet', referrer: 'internal', campaign: 'x' } });
  engine.recommend({ context: { hour: 23, weekday: 6 } });
  engine.recommend({ context: null });
});

test('an undeclared site key is refused even where no rule uses it', async () => {
  const { engine } = await openAt(local(0, 10), cfg());
  await expectCode(() => engine.recommend({ context: { campaign: 'spring' } }), 'bad_argument', 'campaign');
});

test('the glue fills hour and weekday from the local clock when the page passes none', async () => {
  const config = cfg({ context: { rules: [
    { when: { daypart: ['morning'] }, boost: { tags: { briefing: 0.3 } } },
    { when: { weekday: ['weekend'] }, boost: { tags: { travel: 0.6 } } },
  ] } });
  const morning = await openAt(local(0, 8), config); /* Monday 08:00 local */
  const evening = await openAt(local(0, 20), config); /* Monday 20:00 local */
  const xm = morning.engine.explain(first('briefing'));
  const xe = evening.engine.explain(first('briefing'));
  assert.notEqual(xm.score, xe.score);
  assert.ok(Math.abs(weightOf(xm, 'context', 'briefing') - 0.3) < 1e-12);
  assert.equal(contextRule(xe).length, 0);
  assert.match(contextRule(xm)[0].reason, /morning/);
  const rm = morning.engine.recommend({ k: 4 });
  const re = evening.engine.recommend({ k: 4 });
  assert.deepEqual(rm.map((r) => r.id), withTag('briefing'));
  assert.notDeepEqual(re.map((r) => r.id), rm.map((r) => r.id));

  /* the engine's own clock moves on: the same engine in the evening */
  morning.clock.set(local(0, 20));
  assert.equal(contextRule(morning.engine.explain(first('briefing'))).length, 0);
  /* the weekday too: Saturday morning lifts travel above briefing */
  morning.clock.set(local(5, 8));
  assert.deepEqual(morning.engine.recommend({ k: 4 }).map((r) => r.id), withTag('travel'));
  /* what the page passes wins over the clock */
  assert.equal(contextRule(morning.engine.explain(first('briefing'), { hour: 20 })).length, 0);
  assert.equal(contextRule(morning.engine.explain(first('travel'), { weekday: 'tue' })).length, 0);
  assert.equal(contextRule(evening.engine.explain(first('briefing'), { daypart: 'morning' })).length, 1);
  /* and what is tracked gets a daypart from the clock: mobile evening */
  await evening.engine.track({ item: 'c00', type: 'view' }, { device: 'mobile' });
  await morning.engine.track({ item: 'c00', type: 'view' }, { device: 'mobile', hour: 20 });
  const be = (await evening.engine.export()).history[0].bucket;
  assert.ok(be > 0);
  assert.equal((await morning.engine.export()).history[0].bucket, be);
});

test('inventory lists contextBuckets and session only from contextual up', async () => {
  for (const level of ['none', 'segment', 'behavioral', 'contextual', 'individual']) {
    const { engine } = await openAt(local(0, 10), cfg({ privacyLevel: level }));
    const keys = engine.inventory().map((r) => r.key);
    const ctxLevel = ['contextual', 'individual'].includes(level);
    assert.equal(keys.includes('contextBuckets'), ctxLevel, `${level}: ${keys}`);
    assert.equal(keys.includes('session'), ctxLevel, `${level}: ${keys}`);
  }
  /* expiry of interactions takes their buckets along */
  const { engine, clock } = await openAt(local(0, 10), cfg());
  await engine.track({ item: 'c00', type: 'click' }, { device: 'mobile' });
  const row = engine.inventory().find((r) => r.key === 'contextBuckets');
  assert.equal(row.count, 1);
  assert.equal(row.oldest, local(0, 10));
  assert.equal(row.expiresAt, local(0, 10) + 30 * DAY);
  clock.days(31);
  assert.equal(engine.inventory().find((r) => r.key === 'contextBuckets').count, 0);
});

test('a back-dated interaction keeps the daypart it happened in, not the clock\'s', async () => {
  const { engine } = await openAt(local(1, 20), cfg()); /* Tuesday evening */
  await engine.track({ item: 'c00', type: 'click', at: local(1, 8) }, { device: 'mobile' }); /* that morning */
  await engine.track({ item: 'c01', type: 'click' }, { device: 'mobile' }); /* now */
  const [morning, evening] = (await engine.export()).history.map((h) => h.bucket);
  assert.ok(morning > 0 && evening > 0 && morning !== evening, `buckets ${morning} and ${evening}`);
  assert.equal(morning, (await (async () => {
    const other = (await openAt(local(1, 8), cfg())).engine;
    await other.track({ item: 'c02', type: 'click' }, { device: 'mobile' });
    return (await other.export()).history[0].bucket;
  })()), 'the same bucket as an interaction made that morning');
});
