/**
 * The individual level: the user vector from item vectors, exploration with propensities,
 * learned signal weights from impressions and clicks, the counterfactual log, fatigue, purges on
 * downgrade, the model in snapshots, exports and tab merges, and the inventory rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeClock, MemoryStorage, expectCode, expectRejectedUnchanged, storedBytes, asVersion1,
  snapshotHeader, SNAPSHOT_VERSION, EXPORT_VERSION, HOUR, T0,
} from './helpers.js';

const MINUTE = 60_000;
const GROUPS = ['popularity', 'freshness', 'segment', 'affinity', 'related', 'context', 'model'];
/** The learned weight that multiplies each signal of explain(). */
const GROUP_OF = {
  popularity: 'popularity', freshness: 'freshness', segment: 'segment', affinity: 'affinity', category: 'affinity',
  related: 'related', context: 'context', session: 'context', model: 'model', fatigue: 'model',
};

const id2 = (p, i) => `${p}${String(i).padStart(2, '0')}`;

/**
 * Two clusters of 12 items with 4-d vectors: a.. near the first axis, b.. near the second.  All
 * items share one tag and one popularity, so only the model tells them apart.
 */
function clusterCatalog({ vectors = true } = {}) {
  const items = [];
  for (let i = 0; i < 12; i++) {
    for (const [p, axis] of [['a', 0], ['b', 1]]) {
      const v = [0.05 * ((i * 7) % 5), 0.05 * ((i * 3) % 4), 0.1 * (i % 2), 0.02 * i];
      v[axis] = 1;
      const item = { id: id2(p, i), title: `${p.toUpperCase()} ${i}`, tags: ['story'], popularity: 100 };
      if (vectors) item.vector = v;
      items.push(item);
    }
  }
  return { version: 1, dim: vectors ? 4 : 0, items };
}

/** 24 items that all score the same (no vectors): order is catalog order unless something moves it. */
const flat = {
  version: 1,
  items: Array.from({ length: 24 }, (_, i) => ({ id: id2('f', i), title: `Flat ${i}`, tags: ['story'], popularity: 100 })),
};

/**
 * Items whose popularity falls steeply at the top: clicking the third item of a list means
 * preferring a much less popular item to the two above it.
 */
const steep = {
  version: 1,
  items: Array.from({ length: 40 }, (_, i) => ({
    id: id2('s', i), title: `Steep ${i}`, tags: [['x', 'y', 'z'][i % 3]], popularity: i < 2 ? 1_000_000 : 200 - i,
  })),
};

const cfg = (extra = {}) => ({
  privacyLevel: 'individual', ...extra, ranking: { diversity: 0, exploration: 0, ...(extra.ranking ?? {}) },
});
const openWith = (catalog, config, rest = {}) => open({ catalog, config, clock: makeClock(T0), ...rest });
const sum = (x) => x.contributions.reduce((s, c) => s + c.weight, 0);
const of = (x, signal) => x.contributions.filter((c) => c.signal === signal);

/* --- the user vector ------------------------------------------------------------------------- */

test('interacting with one cluster ranks its unseen items above the others', async () => {
  const { engine, clock } = await openWith(clusterCatalog(), cfg());
  for (const i of [0, 1, 2]) {
    clock.advance(MINUTE);
    await engine.track({ item: id2('a', i), type: 'click' });
  }
  clock.advance(HOUR);
  const list = engine.recommend({ k: 9, seed: 1 });
  assert.deepEqual(list.map((r) => r.id[0]), Array(9).fill('a'), JSON.stringify(list.map((r) => r.id)));
  assert.ok(list.every((r) => !['a00', 'a01', 'a02'].includes(r.id)), 'seen items stay out');
  assert.ok(list.every((r) => r.reasons.some((t) => /^Similar to "A [012]", which you opened$/.test(t))),
    JSON.stringify(list.map((r) => r.reasons)));

  const a = engine.explain('a07');
  const b = engine.explain('b07');
  const ma = of(a, 'model');
  assert.equal(ma.length, 1);
  assert.equal(ma[0].level, 'individual');
  assert.ok(ma[0].weight > 0.1, `model contribution ${ma[0].weight}`);
  assert.match(ma[0].reason, /^Similar to "A [012]"/);
  assert.ok(a.score > b.score);
  assert.ok(of(b, 'model').reduce((s, c) => s + c.weight, 0) < ma[0].weight);
  assert.equal(sum(a), a.score);
  assert.equal(sum(b), b.score);

  /* below individual the vectors are not used */
  await engine.setPrivacyLevel('contextual');
  assert.equal(of(engine.explain('a07'), 'model').length, 0);
  assert.equal(engine.explain('a07').score, engine.explain('b07').score);
});

test('without item vectors (dim 0), or for items without one, the individual level still works', async () => {
  const { engine, clock } = await openWith(clusterCatalog({ vectors: false }), cfg({ ranking: { exploration: 0.2 } }));
  for (const i of [0, 1, 2]) await engine.track({ item: id2('a', i), type: 'click' });
  clock.advance(HOUR);
  const list = engine.recommend({ k: 10, seed: 3 });
  assert.equal(list.length, 10);
  for (const r of list) {
    assert.ok(r.propensity > 0 && r.propensity <= 1);
    assert.equal(sum(engine.explain(r.id)), r.score);
  }
  for (const it of clusterCatalog().items) assert.equal(of(engine.explain(it.id), 'model').length, 0);
  assert.equal(engine.inventory().find((r) => r.key === 'tasteVector').count, 0);
  await engine.shown(list);
  await engine.track({ item: list[2].id, type: 'click' });
  assert.ok((await engine.export()).model.updates > 0);

  /* a catalog with vectors on some items only */
  const mixed = clusterCatalog();
  for (const it of mixed.items) if (it.id.endsWith('5')) delete it.vector;
  const m = await openWith(mixed, cfg());
  await m.engine.track({ item: 'a05', type: 'click' }); /* no vector: no user vector yet */
  await m.engine.track({ item: 'a01', type: 'click' });
  m.clock.advance(HOUR);
  assert.equal(of(m.engine.explain('b05'), 'model').length, 0, 'an item without a vector gets no model score');
  assert.equal(of(m.engine.explain('a03'), 'model').length, 1);
  assert.equal(m.engine.recommend({ k: 20 }).length, 20);
});

/* --- exploration and propensities ------------------------------------------------------------ */

test('every item carries a propensity in (0, 1] at individual, and none below it', async () => {
  const { engine } = await openWith(flat, { privacyLevel: 'individual' }); /* default exploration */
  for (let seed = 0; seed < 30; seed++) {
    for (const r of engine.recommend({ k: 10, seed })) {
      assert.equal(typeof r.propensity, 'number');
      assert.ok(r.propensity > 0 && r.propensity <= 1, `${r.id}: ${r.propensity}`);
    }
  }
  await engine.setPrivacyLevel('contextual');
  assert.ok(engine.recommend({ k: 10 }).every((r) => !('propensity' in r)));
});

test('with exploration 0 every propensity is 1 and the list is the greedy one', async () => {
  const { engine, clock } = await openWith(clusterCatalog(), cfg({ ranking: { exploration: 0 } }));
  await engine.track({ item: 'a00', type: 'click' });
  await engine.track({ item: 'b03', type: 'like' });
  clock.advance(HOUR);
  const lists = [1, 2, 99, 123456789].map((seed) => engine.recommend({ k: 12, seed }));
  for (const l of lists) {
    assert.ok(l.every((r) => r.propensity === 1));
    assert.ok(l.every((r) => !r.reasons.includes('Exploring something new')));
    assert.deepEqual(l, lists[0], 'the seed does not matter');
  }
  /* greedy: the best scores, best first (ties in catalog order) */
  const ids = clusterCatalog().items.map((it) => it.id);
  const byScore = ids.filter((id) => engine.explain(id).excluded === null)
    .map((id) => ({ id, score: engine.explain(id).score }))
    .sort((x, y) => y.score - x.score || ids.indexOf(x.id) - ids.indexOf(y.id));
  assert.deepEqual(lists[0].map((r) => r.id), byScore.slice(0, 12).map((x) => x.id));
  assert.deepEqual(lists[0].map((r) => r.score), byScore.slice(0, 12).map((x) => x.score));
});

test('with exploration 1 every non-pinned slot is a uniform draw with propensity eps / (pool + 1); pins stay', async () => {
  const pins = [{ item: 'f20', position: 1 }, { item: 'f21', position: 4 }];
  const config = cfg({ ranking: { exploration: 1 }, editorial: { pins } });
  const { engine } = await openWith(flat, config);
  const greedy = (await openWith(flat, { ...config, ranking: { diversity: 0, exploration: 0 } })).engine.recommend({ k: 5 });
  assert.deepEqual(greedy.map((r) => r.id), ['f20', 'f00', 'f01', 'f21', 'f02']);
  /* 24 items, 2 pinned, 3 personalised slots: the pool of the others is 19, so 20 choices per slot */
  const p = 1 / 20;
  const counts = new Map();
  for (let seed = 1; seed <= 800; seed++) {
    const list = engine.recommend({ k: 5, seed });
    assert.equal(list.length, 5);
    assert.equal(new Set(list.map((r) => r.id)).size, 5, 'no item twice');
    assert.equal(list[0].id, 'f20');
    assert.equal(list[3].id, 'f21');
    for (const j of [0, 3]) {
      assert.equal(list[j].propensity, 1);
      assert.equal(list[j].editorial, true);
      assert.equal(list[j].reasons[0], 'Chosen by the editors');
      assert.ok(!list[j].reasons.includes('Exploring something new'));
    }
    for (const j of [1, 2, 4]) {
      const r = list[j];
      assert.ok(Math.abs(r.propensity - p) < 1e-7, `${r.id}: propensity ${r.propensity}, want ${p}`);
      const explored = r.id !== greedy[j].id;
      assert.equal(r.reasons[0] === 'Exploring something new', explored,
        `seed ${seed} slot ${j + 1}: ${r.id} (greedy ${greedy[j].id}) ${JSON.stringify(r.reasons)}`);
      assert.ok(!r.editorial);
    }
    counts.set(list[1].id, (counts.get(list[1].id) ?? 0) + 1);
  }
  /* slot 2 is uniform over the 20 choices: 40 expected each */
  assert.equal(counts.size, 20, JSON.stringify([...counts]));
  for (const [id, n] of counts) assert.ok(n >= 15 && n <= 70, `${id} drawn ${n} times in 800`);
  assert.ok(!counts.has('f20') && !counts.has('f21'), 'pins are never drawn into other slots');
});

test('the same seed gives the same list; the propensity formula holds at every epsilon', async () => {
  for (const eps of [0.05, 0.3, 0.7]) {
    const { engine } = await openWith(flat, cfg({ ranking: { exploration: eps } }));
    const choices = 24 - 6 + 1;
    const lists = new Set();
    let explored = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const a = engine.recommend({ k: 6, seed });
      assert.deepEqual(engine.recommend({ k: 6, seed }), a, `eps ${eps} seed ${seed}`);
      lists.add(a.map((r) => r.id).join());
      for (const r of a) {
        const isExplored = r.reasons[0] === 'Exploring something new';
        const want = isExplored ? eps / choices : 1 - eps + eps / choices;
        assert.ok(Math.abs(r.propensity - want) < 1e-6, `eps ${eps}: ${r.propensity} vs ${want}`);
        explored += isExplored;
      }
    }
    assert.ok(lists.size > 1, `eps ${eps}: different seeds explore differently`);
    assert.ok(explored > 0);
    if (eps === 0.05) assert.ok(explored < 60, 'at 5 % most slots are greedy');
  }
  /* through the glue: the seed comes from the engine's random source when not given */
  const r1 = await openWith(flat, cfg({ ranking: { exploration: 0.5 } }), { random: () => 0.25 });
  const r2 = await openWith(flat, cfg({ ranking: { exploration: 0.5 } }), { random: () => 0.25 });
  assert.deepEqual(r1.engine.recommend({ k: 6 }), r2.engine.recommend({ k: 6 }));
  await expectCode(() => r1.engine.recommend({ seed: 'x' }), 'bad_argument', 'seed');
});

/**
 * Exploration as the engine defines it (src/rank.c, README "Exploration"): each personalised
 * slot, with probability eps, shows a uniform draw over the pool — the eligible items not in the
 * list — plus the slot's greedy item; so with `choices` = pool + 1 the greedy item keeps its
 * slot with probability (1 − eps) + eps / choices, each pool item takes it with eps / choices,
 * and a slot shows something other than its greedy item with probability eps · pool / choices.
 */
const explorationOf = (eps, pool) => ({
  choices: pool + 1,
  greedy: 1 - eps + eps / (pool + 1),
  other: eps / (pool + 1),
  explored: (eps * pool) / (pool + 1),
});
/** |observed − n·p| within `sigmas` binomial standard deviations. */
function assertBinomial(observed, n, p, sigmas, what) {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(observed - n * p) <= sigmas * sd,
    `${what}: ${observed} of ${n}, expected ${(n * p).toFixed(1)} ± ${(sigmas * sd).toFixed(1)} (${sigmas} sigma)`);
}

test('the share of explored slots matches ranking.exploration within binomial bounds, at 0.05 and 0.3', async () => {
  const K = 6;
  const CALLS = 2000;
  for (const eps of [0.05, 0.3]) {
    const { engine } = await openWith(flat, cfg({ ranking: { exploration: eps } }));
    const greedy = (await openWith(flat, cfg({ ranking: { exploration: 0 } }))).engine;
    const eligible = greedy.recommend({ k: 1000 }).length; /* eligible items, all listed */
    const pool = eligible - K;
    assert.equal(pool, 18);
    const greedyIds = greedy.recommend({ k: K }).map((r) => r.id);
    const x = explorationOf(eps, pool);
    const perSlot = new Array(K).fill(0);
    let explored = 0;
    const perList = new Array(K + 1).fill(0);
    for (let seed = 1; seed <= CALLS; seed++) {
      const list = engine.recommend({ k: K, seed });
      assert.equal(list.length, K);
      let inList = 0;
      list.forEach((r, j) => {
        const isExplored = r.reasons[0] === 'Exploring something new';
        /* an explored slot always shows an item other than its greedy one, and only then */
        assert.equal(isExplored, r.id !== greedyIds[j], `eps ${eps} seed ${seed} slot ${j + 1}`);
        if (isExplored) {
          perSlot[j]++;
          explored++;
          inList++;
        }
      });
      perList[inList]++;
    }
    assertBinomial(explored, CALLS * K, x.explored, 4, `eps ${eps}: explored slots`);
    perSlot.forEach((n, j) => assertBinomial(n, CALLS, x.explored, 4, `eps ${eps}: slot ${j + 1}`));
    /* slots explore independently: explored slots per list follow Binomial(K, p) — its mean
       and variance, the variance within 4 of its own standard errors (normal approximation) */
    const mean = perList.reduce((a, c, i) => a + i * c, 0) / CALLS;
    const variance = perList.reduce((a, c, i) => a + c * (i - mean) ** 2, 0) / (CALLS - 1);
    const v = K * x.explored * (1 - x.explored);
    assert.ok(Math.abs(mean - K * x.explored) <= 4 * Math.sqrt(v / CALLS), `eps ${eps}: mean ${mean} per list`);
    assert.ok(Math.abs(variance - v) <= 4 * v * Math.sqrt(2 / (CALLS - 1)) + 4 * Math.sqrt(v / CALLS),
      `eps ${eps}: variance ${variance} per list, binomial ${v}`);
  }
});

test('propensities: a slot\'s candidates have propensities that sum to 1, and each is how often the policy puts it there', async () => {
  const eps = 0.3;
  const CALLS = 3000;
  const K = 6;
  /* one pin at position 2: it keeps propensity 1 and leaves the pool */
  const config = cfg({ ranking: { exploration: eps }, editorial: { pins: [{ item: 'f23', position: 2 }] } });
  const { engine } = await openWith(flat, config);
  const greedyEngine = (await openWith(flat, { ...config, ranking: { diversity: 0, exploration: 0 } })).engine;
  const greedy = greedyEngine.recommend({ k: K }).map((r) => r.id);
  assert.deepEqual(greedy, ['f00', 'f23', 'f01', 'f02', 'f03', 'f04']);
  const pool = greedyEngine.recommend({ k: 1000 }).length - K; /* eligible items not in the list */
  assert.equal(pool, 18);
  const x = explorationOf(eps, pool);
  const f32 = Math.fround;
  const atSlot1 = new Map();
  let seenGreedy = false;
  let seenOther = false;
  for (let seed = 1; seed <= CALLS; seed++) {
    const list = engine.recommend({ k: K, seed });
    list.forEach((r, j) => {
      if (j === 1) {
        assert.equal(r.id, 'f23');
        assert.equal(r.propensity, 1, 'a pin is always in its slot');
        return;
      }
      /* the reported propensity is the policy's probability, exactly (held as a float32) */
      const isGreedy = r.id === greedy[j];
      assert.equal(r.propensity, isGreedy ? f32(x.greedy) : f32(x.other), `seed ${seed} slot ${j + 1} ${r.id}`);
      if (isGreedy) seenGreedy = true;
      else seenOther = true;
    });
    atSlot1.set(list[0].id, (atSlot1.get(list[0].id) ?? 0) + 1);
  }
  assert.ok(seenGreedy && seenOther);
  /* the invariant: over a slot's choices — its greedy item and the pool's items — the
     propensities add up to 1 (to float32 rounding of each term) */
  const sum = f32(x.greedy) + pool * f32(x.other);
  assert.ok(Math.abs(sum - 1) < 1e-6, `greedy ${f32(x.greedy)} + ${pool} × ${f32(x.other)} = ${sum}`);
  /* and they are frequencies: in slot 1 (whose pool is exactly the items not listed), the
     greedy item and every pool item appear as often as their propensity says (4 sigma each) */
  assertBinomial(atSlot1.get('f00') ?? 0, CALLS, x.greedy, 4, 'slot 1: the greedy item');
  const notListed = flat.items.map((it) => it.id).filter((id) => !greedy.includes(id));
  assert.equal(notListed.length, pool);
  for (const id of notListed) assertBinomial(atSlot1.get(id) ?? 0, CALLS, x.other, 4, `slot 1: ${id}`);
  for (const id of atSlot1.keys()) assert.ok(id === 'f00' || notListed.includes(id), `slot 1 showed ${id}, a listed item`);
});

/* --- learning ---------------------------------------------------------------------------------- */

/** `rounds` lists of 5: each shown, then its third item clicked.  Returns the engine and clock. */
async function clickThird(rounds, config = cfg(), catalog = steep) {
  const ctx = await openWith(catalog, config);
  for (let r = 0; r < rounds; r++) {
    const list = ctx.engine.recommend({ k: 5, seed: r + 1 });
    await ctx.engine.shown(list);
    ctx.clock.advance(MINUTE);
    await ctx.engine.track({ item: list[2].id, type: 'click' });
    ctx.clock.advance(MINUTE);
  }
  return ctx;
}

test('clicks on the third item after impressions move the learned weights, the same way every time', async () => {
  const a = await clickThird(8);
  const m = (await a.engine.export()).model;
  assert.deepEqual(Object.keys(m.weights).sort(), [...GROUPS].sort());
  assert.ok(m.updates > 0, 'learning steps were taken');
  assert.ok(m.weights.popularity < 1, `the user keeps passing over the most popular items: ${m.weights.popularity}`);
  for (const g of GROUPS) assert.ok(m.weights[g] >= 0 && m.weights[g] <= 5, `${g}: ${m.weights[g]}`);
  assert.equal(m.weights.segment, 1, 'no segment signal, nothing learned about it');
  assert.equal(m.weights.related, 1);

  /* deterministic for a fixed sequence */
  const b = await clickThird(8);
  assert.deepEqual((await b.engine.export()).model, m);
  /* a different sequence learns something else */
  const c = await clickThird(3);
  assert.notDeepEqual((await c.engine.export()).model.weights, m.weights);
  /* impressions alone teach nothing */
  const d = await openWith(steep, cfg());
  await d.engine.shown(d.engine.recommend({ k: 5 }));
  const dm = (await d.engine.export()).model;
  assert.equal(dm.updates, 0);
  assert.ok(GROUPS.every((g) => dm.weights[g] === 1));
  /* at contextual nothing is learned */
  const e = await clickThird(4, cfg({ privacyLevel: 'contextual' }));
  const em = (await e.engine.export()).model;
  assert.equal(em.updates, 0);
  assert.deepEqual(em.impressions, []);
});

test('learned weights stay within [0, 5] however hard they are pushed', async () => {
  const { engine } = await clickThird(30, cfg({ model: { learningRate: 1 } }));
  const m = (await engine.export()).model;
  for (const g of GROUPS) assert.ok(m.weights[g] >= 0 && m.weights[g] <= 5, `${g}: ${m.weights[g]}`);
  assert.ok(GROUPS.some((g) => Math.abs(m.weights[g] - 1) > 0.3), `a fast learner moves far: ${JSON.stringify(m.weights)}`);
  const row = engine.inventory().find((r) => r.key === 'model');
  assert.match(row.what, /popularity/);
});

test('explain at individual reports the learned weight of each contribution, and still adds up', async () => {
  const { engine, clock } = await clickThird(8);
  clock.advance(HOUR);
  const { weights } = (await engine.export()).model;
  const list = engine.recommend({ k: 10, seed: 7 });
  for (const r of list) {
    const x = engine.explain(r.id);
    assert.equal(x.contributions.reduce((s, c) => s + c.weight, 0), x.score, `${r.id}: contributions add up`);
    assert.equal(x.score, r.score, `${r.id}: explain and recommend agree`);
    for (const c of x.contributions) {
      assert.equal(typeof c.learnedWeight, 'number', `${r.id} ${c.signal}`);
      if (c.signal === 'editorial') continue;
      assert.equal(c.learnedWeight, weights[GROUP_OF[c.signal]], `${r.id} ${c.signal}`);
    }
  }
  const pop = of(engine.explain(list[0].id), 'popularity')[0];
  assert.ok(pop.learnedWeight < 1);
  /* below individual there is no learned weight, and weights are back to 1 */
  await engine.setPrivacyLevel('contextual');
  for (const c of engine.explain(list[0].id).contributions) assert.ok(!('learnedWeight' in c));
});

/* --- the counterfactual log ---------------------------------------------------------------- */

test('metrics().counterfactual: impressions, the inverse-propensity greedy CTR and explored counts', async () => {
  const eps = 0.5;
  const config = cfg({ ranking: { exploration: eps } });
  const { engine, clock } = await openWith(flat, config);
  const zero = engine.metrics().counterfactual;
  assert.equal(zero.impressions, 0);
  assert.equal(zero.greedyCtrEstimate, null);
  assert.equal(zero.exploredShown, 0);
  assert.equal(zero.exploredClicked, 0);

  /* a seed whose list of 4 has greedy and explored items (found on a fresh engine, same state) */
  const probe = (await openWith(flat, config)).engine;
  let seed = 1;
  const mixedList = (l) => l.some((r) => r.propensity > 0.5) && l.filter((r) => r.propensity < 0.5).length >= 2;
  while (!mixedList(probe.recommend({ k: 4, seed }))) seed++;
  const list = engine.recommend({ k: 4, seed });
  assert.deepEqual(list, probe.recommend({ k: 4, seed }));
  const greedy = list.filter((r) => r.propensity > 0.5);
  const explored = list.filter((r) => r.propensity < 0.5);
  assert.ok(explored.every((r) => r.reasons[0] === 'Exploring something new'));
  /* 24 items, 4 listed: 21 choices per slot */
  for (const r of greedy) assert.ok(Math.abs(r.propensity - (1 - eps + eps / 21)) < 1e-7);
  for (const r of explored) assert.ok(Math.abs(r.propensity - eps / 21) < 1e-7);

  await engine.shown(list);
  clock.advance(MINUTE);
  await engine.track({ item: greedy[0].id, type: 'click' });
  await engine.track({ item: explored[0].id, type: 'click' });
  let cf = engine.metrics().counterfactual;
  assert.equal(cf.impressions, 4);
  assert.ok(Math.abs(cf.greedyCtrEstimate - (1 / greedy[0].propensity) / 4) < 1e-12, `${cf.greedyCtrEstimate}`);
  assert.equal(cf.exploredShown, explored.length);
  assert.equal(cf.exploredClicked, 1);
  assert.ok(Math.abs(cf.exploredCtr - 1 / explored.length) < 1e-12);

  /* a second list, shown; one greedy click on it */
  clock.advance(MINUTE);
  const list2 = engine.recommend({ k: 4, seed: seed + 1000 });
  await engine.shown(list2);
  const g2 = list2.find((r) => r.propensity > 0.5 && r.propensity < 1);
  const e2 = list2.filter((r) => r.propensity < 0.5).length;
  if (g2) await engine.track({ item: g2.id, type: 'click' });
  cf = engine.metrics().counterfactual;
  assert.equal(cf.impressions, 8);
  const want = (1 / greedy[0].propensity + (g2 ? 1 / g2.propensity : 0)) / 8;
  assert.ok(Math.abs(cf.greedyCtrEstimate - want) < 1e-12, `${cf.greedyCtrEstimate} vs ${want}`);
  assert.equal(cf.exploredShown, explored.length + e2);
  assert.equal(cf.exploredClicked, 1);

  /* a click on an item that was never in a list is not in the log */
  const listed = new Set([...list, ...list2].map((r) => r.id));
  const outside = flat.items.find((it) => !listed.has(it.id)).id;
  await engine.track({ item: outside, type: 'click' });
  assert.deepEqual(engine.metrics().counterfactual, cf);
  /* the log is part of the export */
  const ex = await engine.export();
  assert.equal(ex.model.counterfactual.impressions, 8);
  assert.equal(ex.model.counterfactual.exploredClicked, 1);
});

test('with exploration 0 the greedy CTR estimate is the plain click rate', async () => {
  const { engine } = await openWith(flat, cfg());
  const list = engine.recommend({ k: 5, seed: 1 });
  await engine.shown(list);
  await engine.track({ item: list[1].id, type: 'click' });
  await engine.track({ item: list[3].id, type: 'click' });
  const cf = engine.metrics().counterfactual;
  assert.equal(cf.impressions, 5);
  assert.equal(cf.greedyCtrEstimate, 2 / 5);
  assert.equal(cf.exploredShown, 0);
});

/* --- fatigue ---------------------------------------------------------------------------------- */

test('items shown many times without a click move down, and explain says so', async () => {
  const { engine, clock } = await openWith(flat, cfg());
  assert.equal(engine.recommend({ k: 1 })[0].id, 'f00');
  for (let i = 0; i < 5; i++) {
    await engine.shown(['f00']);
    clock.advance(MINUTE);
  }
  const x = engine.explain('f00');
  const f = of(x, 'fatigue');
  assert.equal(f.length, 1, JSON.stringify(x.contributions));
  assert.ok(f[0].weight < 0);
  assert.equal(f[0].level, 'individual');
  assert.match(f[0].reason, /^Shown to you 5 times without being opened$/);
  assert.equal(sum(x), x.score);
  assert.ok(x.score < engine.explain('f01').score);
  assert.equal(x.rank, 24, 'below every item that was never shown');
  assert.ok(!engine.recommend({ k: 10 }).some((r) => r.id === 'f00'));
  /* more impressions never move it up */
  for (let i = 0; i < 20; i++) await engine.shown(['f00']);
  assert.ok(engine.explain('f00').score <= x.score);
  assert.equal((await engine.export()).model.impressions.find((m) => m.item === 'f00').count, 25);
  const row = engine.inventory().find((r) => r.key === 'impressions');
  assert.equal(row.count, 1);
  assert.equal(row.stored, true);
});

test('an item that was opened is not "shown without being opened"', async () => {
  const { engine, clock } = await openWith(flat, cfg({ ranking: { excludeSeen: false } }));
  for (let i = 0; i < 5; i++) await engine.shown(['f03']);
  assert.equal(of(engine.explain('f03'), 'fatigue').length, 1, 'set-up: fatigue');
  await engine.track({ item: 'f03', type: 'click' });
  clock.advance(HOUR);
  const x = engine.explain('f03');
  for (const c of of(x, 'fatigue')) {
    assert.doesNotMatch(c.reason, /without being opened/, `f03 was opened: ${JSON.stringify(c)}`);
  }
});

test('the fatigue reason counts impressions even when the learned model weight is 0', async () => {
  const { engine, clock } = await openWith(flat, cfg());
  const ex = await engine.export();
  ex.model.weights.model = 0; /* a valid learned weight: the bottom of [0, 5] */
  ex.model.impressions = [{ item: 'f02', count: 3, at: new Date(clock.t).toISOString() }];
  await engine.import(ex);
  const x = engine.explain('f02');
  assert.equal(sum(x), x.score);
  for (const c of of(x, 'fatigue')) {
    assert.equal(c.learnedWeight, 0);
    assert.match(c.reason, /^Shown to you 3 times without being opened$/, JSON.stringify(c));
  }
});

/* --- downgrades ---------------------------------------------------------------------------- */

test('downgrading from individual removes the model from memory and the stored copy at once', async () => {
  const { engine, clock, storage } = await clickThird(6, cfg({ ranking: { exploration: 0.3 } }));
  await engine.track({ item: 's30', type: 'click' }, { device: 'mobile' });
  const before = await engine.export();
  assert.ok(before.model.updates > 0 && before.model.impressions.length > 0 && before.model.counterfactual.impressions > 0,
    'set-up: a model');
  await storedBytes(engine, storage);

  await engine.setPrivacyLevel('contextual');
  const bytes = storage.peek('default'); /* no flush */
  const check = async (e, where) => {
    const m = (await e.export()).model;
    for (const g of GROUPS) assert.equal(m.weights[g], 1, `${where}: ${g}`);
    assert.equal(m.updates, 0, where);
    assert.deepEqual(m.impressions, [], where);
    assert.deepEqual(m.counterfactual, { impressions: 0, greedyClicksByPropensity: 0, exploredShown: 0, exploredClicked: 0 }, where);
    const cf = e.metrics().counterfactual;
    assert.equal(cf.impressions, 0, where);
    assert.equal(cf.exploredShown, 0, where);
    assert.equal(cf.exploredClicked, 0, where);
    assert.equal(cf.greedyCtrEstimate, null, where);
  };
  await check(engine, 'memory');
  const keys = engine.inventory().map((r) => r.key);
  for (const k of ['model', 'impressions', 'tasteVector']) assert.ok(!keys.includes(k), `inventory still lists ${k}`);
  assert.ok(keys.includes('contextBuckets'), 'contextual data stays');
  assert.equal((await engine.export()).history.at(-1).bucket > 0, true, 'buckets stay at contextual');
  assert.equal(engine.metrics().total.impressions, before.metrics.impressions.individual.reduce((a, b) => a + b, 0),
    'engagement counts are segment-level data and stay');

  const copy = new MemoryStorage();
  await copy.save('default', bytes);
  const stored = await openWith(steep, cfg(), { storage: copy, clock });
  assert.equal(stored.engine.level, 'contextual');
  await check(stored.engine, 'stored copy');

  /* back up: the model starts over */
  await engine.setPrivacyLevel('individual');
  await check(engine, 'after raising again');
  assert.ok(!of(engine.explain('s10'), 'fatigue').length);
});

test('downgrading from individual to behavioral also removes buckets and the session', async () => {
  const { engine, clock, storage } = await clickThird(3);
  await engine.track({ item: 's31', type: 'click' }, { device: 'mobile' });
  clock.advance(MINUTE);
  assert.ok(of(engine.explain('s34'), 'session').length === 1, 'set-up: a session');
  await engine.setPrivacyLevel('behavioral');
  const ex = await engine.export();
  assert.ok(ex.history.every((h) => h.bucket === 0));
  assert.equal(ex.model.updates, 0);
  assert.equal(of(engine.explain('s34'), 'session').length, 0);
  const copy = new MemoryStorage();
  await copy.save('default', storage.peek('default'));
  const stored = await openWith(steep, cfg(), { storage: copy, clock });
  const sx = await stored.engine.export();
  assert.ok(sx.history.length > 0 && sx.history.every((h) => h.bucket === 0));
  assert.deepEqual(sx.model.impressions, []);
});

/* --- snapshots, exports and merges ------------------------------------------------------------ */

test('the model survives a reload and an export / import round trip', async () => {
  const ctx = await clickThird(6, cfg({ ranking: { exploration: 0.4 } }));
  ctx.clock.advance(HOUR); /* the session is over, so rankings depend on stored data only */
  const ex = await ctx.engine.export();
  assert.equal(ex.version, EXPORT_VERSION);
  assert.ok(ex.model.updates > 0 && ex.model.impressions.length > 0);
  const list = ctx.engine.recommend({ k: 8, seed: 5 });

  const again = await reopen(ctx);
  assert.equal(snapshotHeader(again.storage.peek('default')).version, SNAPSHOT_VERSION);
  const ex2 = await again.engine.export();
  assert.deepEqual(ex2.model, ex.model);
  assert.deepEqual(again.engine.recommend({ k: 8, seed: 5 }), list);
  const cf = again.engine.metrics().counterfactual;
  assert.equal(cf.impressions, ex.model.counterfactual.impressions);
  assert.equal(cf.exploredShown, ex.model.counterfactual.exploredShown);
  assert.equal(cf.greedyCtrEstimate, ex.model.counterfactual.greedyClicksByPropensity / ex.model.counterfactual.impressions);

  const other = await openWith(steep, cfg({ ranking: { exploration: 0.4 } }), { clock: again.clock });
  await other.engine.import(ex);
  const ex3 = await other.engine.export();
  assert.deepEqual(ex3.model, ex.model);
  assert.deepEqual(other.engine.recommend({ k: 8, seed: 5 }), list);
  /* and the stored copy of the importer holds it too */
  const back = await reopen(other);
  assert.deepEqual((await back.engine.export()).model, ex.model);
  /* JSON text works the same */
  const text = await openWith(steep, cfg(), { clock: again.clock });
  await text.engine.import(JSON.stringify(ex));
  assert.deepEqual((await text.engine.export()).model, ex.model);
});

test('an import with a damaged model is refused and changes nothing', async () => {
  const { engine, storage } = await clickThird(3);
  const ex = await engine.export();
  const damaged = [
    (d) => { d.model.weights.popularity = 6; },
    (d) => { d.model.weights.model = -0.1; },
    (d) => { d.model.weights.colour = 1; },
    (d) => { d.model.updates = 1.5; },
    (d) => { d.model.impressions[0].count = 0; },
    (d) => { d.model.impressions.push({ ...d.model.impressions[0] }); },
    (d) => { d.model.counterfactual.impressions = -1; },
    (d) => { d.model.counterfactual.surprise = 1; },
    (d) => { d.model = []; },
  ];
  for (const damage of damaged) {
    const d = structuredClone(ex);
    damage(d);
    await expectRejectedUnchanged(engine, storage, () => engine.import(d), 'corrupt_profile');
  }
});

test('a version 1 snapshot and a version 1 export (no model) still load', async () => {
  const ctx = await clickThird(4);
  const { engine, storage, clock } = ctx;
  const bytes = await storedBytes(engine, storage);
  const ex = await engine.export();

  const v1 = asVersion1(bytes);
  assert.equal(snapshotHeader(v1).version, 1);
  const s = new MemoryStorage();
  await s.save('default', v1);
  const fromSnapshot = await openWith(steep, cfg(), { storage: s, clock });
  const sx = await fromSnapshot.engine.export();
  assert.deepEqual(sx.history.map((h) => h.item), ex.history.map((h) => h.item));
  assert.equal(sx.level, 'individual');
  assert.ok(GROUPS.every((g) => sx.model.weights[g] === 1), 'no model in version 1: the prior');
  assert.equal(sx.model.updates, 0);
  fromSnapshot.engine.recommend({ k: 5 });
  await fromSnapshot.engine.shown(['s20']);
  await fromSnapshot.engine.flush();
  assert.equal(snapshotHeader(s.peek('default')).version, SNAPSHOT_VERSION, 'rewritten in the current format');

  const old = structuredClone(ex);
  old.version = 1;
  delete old.model;
  old.serverLabel = { epoch: null, truth: null, reported: null, disclosures: 0, firstAt: null };
  const other = await openWith(steep, cfg(), { clock });
  await other.engine.import(old);
  const ox = await other.engine.export();
  assert.equal(ox.version, EXPORT_VERSION);
  assert.deepEqual(ox.history, ex.history);
  assert.ok(GROUPS.every((g) => ox.model.weights[g] === 1));
  assert.deepEqual(ox.model.impressions, []);
  /* a newer export is refused */
  await expectCode(() => other.engine.import({ ...ex, version: EXPORT_VERSION + 1 }), 'newer_version');
});

test('two tabs: impression counts and learning updates add up', async () => {
  const storage = new MemoryStorage();
  const clock = makeClock(T0);
  const config = cfg();
  const a = await open({ catalog: steep, config, storage, clock });
  const b = await open({ catalog: steep, config, storage, clock });
  const expected = new Map();
  async function round(engine, seed) {
    const list = engine.recommend({ k: 5, seed });
    await engine.shown(list);
    for (const r of list) expected.set(r.id, (expected.get(r.id) ?? 0) + 1);
    clock.advance(MINUTE);
    await engine.track({ item: list[2].id, type: 'click' });
    expected.delete(list[2].id); /* an item opened is no longer counted as shown without being opened */
    clock.advance(MINUTE);
  }
  await round(a.engine, 1);
  await round(b.engine, 2); /* b has not seen a's changes yet, or has: either way nothing is lost */
  await a.engine.flush();
  await b.engine.flush();
  await round(a.engine, 3);
  await a.engine.flush();
  await b.engine.flush();
  await a.engine.flush();
  const ua = (await a.engine.export()).model;
  const ub = (await b.engine.export()).model;
  a.engine.close();
  b.engine.close();
  await a.engine.flush();
  await b.engine.flush();

  const c = await open({ catalog: steep, config, storage, clock });
  const m = (await c.engine.export()).model;
  assert.equal(m.updates, 9, `3 clicks with 3 pairs each: ${m.updates} (tabs had ${ua.updates} and ${ub.updates})`);
  const counts = Object.fromEntries(m.impressions.map((x) => [x.item, x.count]));
  assert.deepEqual(counts, Object.fromEntries(expected));
  assert.equal(m.counterfactual.impressions, 15);
  assert.equal(m.counterfactual.greedyClicksByPropensity, 3);
  assert.ok(m.weights.popularity < 1);
  for (const g of GROUPS) assert.ok(m.weights[g] >= 0 && m.weights[g] <= 5);
  assert.equal((await c.engine.export()).history.length, 3);
});

/* --- inventory ------------------------------------------------------------------------------- */

test('inventory lists model, impressions and tasteVector only at individual', async () => {
  for (const level of ['none', 'segment', 'behavioral', 'contextual']) {
    const { engine } = await openWith(clusterCatalog(), cfg({ privacyLevel: level }));
    const keys = engine.inventory().map((r) => r.key);
    for (const k of ['model', 'impressions', 'tasteVector']) assert.ok(!keys.includes(k), `${level} lists ${k}`);
  }
  const { engine, clock } = await openWith(clusterCatalog(), cfg());
  await engine.track({ item: 'a00', type: 'click' }, { device: 'tablet' });
  await engine.shown(['a03', 'a04', 'a03']);
  const rows = Object.fromEntries(engine.inventory().map((r) => [r.key, r]));
  for (const k of ['contextBuckets', 'session', 'model', 'impressions', 'tasteVector']) assert.ok(rows[k], `no ${k} row`);
  assert.equal(rows.model.level, 'individual');
  assert.equal(rows.model.stored, true);
  assert.equal(rows.model.leavesDevice, false);
  assert.equal(rows.impressions.level, 'individual');
  assert.equal(rows.impressions.stored, true);
  assert.equal(rows.impressions.count, 2);
  assert.equal(rows.impressions.oldest, clock.t);
  assert.equal(rows.tasteVector.stored, false);
  assert.equal(rows.tasteVector.count, 1);
  assert.equal(rows.tasteVector.leavesDevice, false);
  assert.equal(rows.session.stored, false);
  assert.equal(rows.contextBuckets.count, 1);
  for (const r of Object.values(rows)) assert.equal(r.leavesDevice, r.key === 'serverLabel', r.key);
});
