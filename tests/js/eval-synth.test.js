// The synthetic population of attune-eval: it is reproducible, its declared traits follow the
// documented noise, its context-dependent users are a documented share whose choices follow
// the daypart, and the structure planted in it shows up when the evaluator replays it through
// the engine.  The orderings asserted are the ones the model gives with the current engine on a
// fixed seed (segment and behavioral beat none when tastes dominate the choices; contextual
// beats behavioral on the context-dependent users and individual beats behavioral overall, each
// by a paired difference whose bootstrap interval excludes 0), not the brief's numbers:
// synthetic data is not evidence about real users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, writeSynth, PARAMS, GROUP_CONTEXT, GROUP_PLAIN } from '../../tools/eval/synth.mjs';
import { evaluate } from '../../tools/eval/evaluate.mjs';

test('the population is reproducible from its seed and changes with it', () => {
  const a = synthesize({ users: 40, items: 60 });
  const b = synthesize({ users: 40, items: 60 });
  const c = synthesize({ users: 40, items: 60, seed: PARAMS.seed[0] + 1 });
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(a.traits, b.traits);
  assert.notDeepEqual(a.events, c.events);
  assert.deepEqual(a.catalog, c.catalog, 'the catalog has its own seed');
});

test('events are well-formed: sorted, on published items, first uses are new items', () => {
  const pop = synthesize({ users: 80, items: 100 });
  const published = new Map(pop.catalog.items.map((it) => [it.id, it.publishedAt]));
  const users = new Set(pop.traits.map((t) => t.user));
  for (let i = 0; i < pop.events.length; i++) {
    const e = pop.events[i];
    if (i) assert.ok(pop.events[i - 1].timestamp <= e.timestamp, 'sorted by time');
    assert.ok(users.has(e.user));
    assert.ok(published.get(e.item) <= e.timestamp, `${e.item} used before it was published`);
    assert.ok(['view', 'click', 'like', 'share', 'purchase', 'dismiss'].includes(e.type));
    assert.ok(['mobile', 'tablet', 'desktop'].includes(e.device));
  }
  const span = pop.events.at(-1).timestamp - pop.events[0].timestamp;
  assert.ok(span <= PARAMS.days[0] * 86_400_000);
});

test('declared interests match the true segment at the documented rate', () => {
  const pop = synthesize({ users: 1000, items: 60 });
  let right = 0;
  let missing = 0;
  pop.traits.forEach((t, i) => {
    if (t.interest === '') missing++;
    else if (t.interest === pop.truth[i].segment) right++;
  });
  const noise = PARAMS.traitNoise[0];
  const miss = PARAMS.traitMissing[0];
  assert.ok(Math.abs(missing / 1000 - miss) < 0.04, `missing ${missing / 1000}`);
  assert.ok(Math.abs(right / 1000 - (1 - noise) * (1 - miss)) < 0.05, `right ${right / 1000}`);
  /* the written config turns each declared interest into its segment */
  assert.deepEqual(pop.config.traits.interest, pop.config.segments.map((s) => s.label));
});

test('the planted structure shows up: segment and behavioral beat none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-synth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  /* tastes dominate popularity and freshness, so history and segment carry the signal */
  const pop = synthesize({ users: 200, items: 150, taste: 4, tags: 1.5, popularity: 0.5, freshness: 0.5, noise: 0.7 });
  writeSynth(dir, pop);
  const r = await evaluate({
    events: join(dir, 'events.csv'), catalog: join(dir, 'catalog.json'), traits: join(dir, 'traits.csv'),
    config: join(dir, 'config.json'), levels: ['none', 'segment', 'behavioral'], tune: 'none', sampled: 0,
    bootstrap: 300, jobs: 2, quiet: true, synthetic: true,
  });
  const loo = r.protocols.leaveLastOut.levels;
  assert.ok(r.protocols.leaveLastOut.users >= 150);
  for (const m of ['hr', 'ndcg', 'mrr']) {
    assert.ok(loo.behavioral[m] > loo.none[m], `behavioral ${m} ${loo.behavioral[m]} <= none ${loo.none[m]}`);
    assert.ok(loo.segment[m] > loo.none[m], `segment ${m} ${loo.segment[m]} <= none ${loo.none[m]}`);
  }
  assert.ok(loo.behavioral.lift.hr.lo > 0, `behavioral's HR lift interval reaches 0: ${JSON.stringify(loo.behavioral.lift.hr)}`);
  assert.ok(loo.segment.lift.ndcg.lo > 0, `segment's NDCG lift interval reaches 0: ${JSON.stringify(loo.segment.lift.ndcg)}`);
  /* personalised levels spread recommendations over more of the catalog */
  assert.ok(loo.behavioral.coverage > loo.none.coverage);
  /* privacy cost grows with the level */
  assert.equal(r.privacy.none.dataPoints.mean, 0);
  assert.ok(r.privacy.segment.dataPoints.mean < r.privacy.behavioral.dataPoints.mean);
  assert.ok(r.privacy.segment.bytes.mean < r.privacy.behavioral.bytes.mean);
});

/** The daypart of a time, as the engine and the generator define it (UTC hours). */
function daypartOf(t) {
  const h = new Date(t).getUTCHours();
  return h >= 5 && h < 12 ? 'morning' : h >= 12 && h < 17 ? 'afternoon' : h >= 17 && h < 22 ? 'evening' : 'night';
}

test('a documented share of users have daypart-dependent tastes, recorded in groups.csv, and their choices follow the daypart', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-synth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pop = synthesize({ users: 1000, items: 150 });
  writeSynth(dir, pop);
  /* one row per user, in groups.csv too, at the documented share (4 binomial sigmas) */
  const share = PARAMS.contextUsers[0];
  const dependent = pop.groups.filter((g) => g.group === GROUP_CONTEXT).length;
  assert.ok(Math.abs(dependent - 1000 * share) < 4 * Math.sqrt(1000 * share * (1 - share)), `${dependent} of 1000`);
  assert.deepEqual(pop.groups.map((g) => g.user), pop.traits.map((x) => x.user));
  pop.groups.forEach((g, i) => {
    assert.ok([GROUP_CONTEXT, GROUP_PLAIN].includes(g.group));
    assert.equal(g.group === GROUP_CONTEXT, pop.truth[i].contextDependent);
  });
  const csv = readFileSync(join(dir, 'groups.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'user,group');
  assert.deepEqual(csv.slice(1), pop.groups.map((g) => `${g.user},${g.group}`));

  /* context-dependent users choose their own category of the current daypart far more often
     than the category they favour at another time of day; the others have no such category */
  const truth = new Map(pop.truth.map((x) => [x.user, x]));
  const category = new Map(pop.catalog.items.map((it) => [it.id, it.category]));
  let own = 0;
  let elsewhere = 0;
  for (const e of pop.events) {
    const tr = truth.get(e.user);
    if (!tr.contextDependent || e.type === 'dismiss') continue;
    const dp = daypartOf(e.timestamp);
    const other = tr.dayparts.find((x) => x !== dp) ?? tr.dayparts[1];
    if (category.get(e.item) === tr.daypartCategory[dp]) own++;
    if (category.get(e.item) === tr.daypartCategory[other]) elsewhere++;
  }
  assert.ok(own > 2 * elsewhere, `own daypart's category ${own} times, another daypart's ${elsewhere}`);
  for (const tr of pop.truth) {
    if (!tr.contextDependent) assert.equal(tr.daypartCategory, null);
    else assert.equal(new Set(Object.values(tr.daypartCategory)).size, 4, 'a distinct category per daypart (7 categories)');
  }
});

test('contextual beats behavioral on context-dependent users; individual beats behavioral overall (paired, CI above 0)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-synth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  /* tastes dominate popularity and freshness (as above), half the users have daypart-dependent
     tastes (the documented default strength); the seeds are the defaults */
  const pop = synthesize({ users: 1000, items: 150, taste: 4, tags: 1.5, popularity: 0.5, freshness: 0.5, noise: 0.7, contextUsers: 0.5 });
  writeSynth(dir, pop);
  const r = await evaluate({
    events: join(dir, 'events.csv'), catalog: join(dir, 'catalog.json'), traits: join(dir, 'traits.csv'),
    config: join(dir, 'config.json'), groups: join(dir, 'groups.csv'), levels: ['none', 'behavioral', 'contextual', 'individual'],
    /* the time split is not asserted here: a late split keeps its replays few */
    tune: 'none', sampled: 0, split: 0.99, bootstrap: 1000, jobs: 2, quiet: true, synthetic: true,
  });
  const loo = r.protocols.leaveLastOut;
  const dep = loo.groups[GROUP_CONTEXT];
  assert.ok(dep.users >= 400, `${dep.users} context-dependent users in leave-last-out`);
  assert.equal(dep.users + loo.groups[GROUP_PLAIN].users, loo.users);
  const show = (d) => `${d.diff.toFixed(4)} (${(d.level * 100).toFixed(0)} % CI ${d.lo.toFixed(4)} … ${d.hi.toFixed(4)})`;
  /* NDCG@10 (hit and position together), paired over the same users, 95 % bootstrap interval */
  const ctx = dep.levels.contextual.vs.behavioral.ndcg;
  assert.equal(ctx.level, 0.95);
  assert.ok(ctx.lo > 0, `contextual − behavioral on context-dependent users: ${show(ctx)}`);
  const ind = loo.levels.individual.vs.behavioral.ndcg;
  t.diagnostic(`NDCG@10 contextual − behavioral, context-dependent users: ${show(ctx)}`);
  t.diagnostic(`NDCG@10 individual − behavioral, all users: ${show(ind)}`);
  assert.ok(ind.lo > 0, `individual − behavioral on all users: ${show(ind)}`);
  /* the paired difference is the difference of the means the tables show */
  assert.ok(Math.abs(ctx.diff - (dep.levels.contextual.ndcg - dep.levels.behavioral.ndcg)) < 1e-12);
  assert.ok(Math.abs(ind.diff - (loo.levels.individual.ndcg - loo.levels.behavioral.ndcg)) < 1e-12);
});
