/**
 * Diversity through the public API: ranking.diversity (the MMR weight λ) turns a list that
 * starts with near-duplicates into one that alternates between kinds of item as λ grows, over
 * tag overlap and over item vectors; ranking.maxPerCategory caps every category of the list,
 * with and without MMR; and explain() and the reasons stay those of the item's score, whatever
 * place diversity gives it.  Diversity works from level behavioral up (README, "How the upper
 * levels rank").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from './helpers.js';

const ids = (list) => list.map((r) => r.id);

/** A family of near-duplicates: the same tags and category, popularity falling by 10. */
const family = (prefix, tags, category, top) =>
  [0, 1, 2, 3].map((i) => ({ id: `${prefix}${i + 1}`, title: `${prefix.toUpperCase()} ${i + 1}`, tags, category, popularity: top - 10 * i }));

/* three families that share no tag and no category; every a scores above every b, every b above
   every c, so the order by score puts the four near-duplicates a1..a4 first */
const catalog = {
  version: 1,
  items: [
    ...family('a', ['markets', 'rates'], 'business', 1000),
    ...family('b', ['football'], 'sport', 700),
    ...family('c', ['film'], 'culture', 500),
  ],
};
const FAMILY = (id) => id[0];
const SCORE_ORDER = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4', 'c1', 'c2', 'c3', 'c4'];

const engineAt = async (diversity, extra = {}, level = 'behavioral', cat = catalog) =>
  (await open({ catalog: cat, config: { privacyLevel: level, ...extra, ranking: { diversity, ...(extra.ranking ?? {}) } } })).engine;

test('at λ = 0 the list is the order by score: the near-duplicates come first', async () => {
  const engine = await engineAt(0);
  const list = engine.recommend({ k: 12 });
  assert.deepEqual(ids(list), SCORE_ORDER);
  /* the order by score, as explain() reports it */
  const byScore = SCORE_ORDER.map((id) => engine.explain(id)).sort((x, y) => y.score - x.score || SCORE_ORDER.indexOf(x.id) - SCORE_ORDER.indexOf(y.id));
  assert.deepEqual(byScore.map((x) => x.id), SCORE_ORDER);
  assert.deepEqual(ids(engine.recommend({ k: 4 })), ['a1', 'a2', 'a3', 'a4'], 'the top 4 is one family');
});

test('as λ grows the near-duplicates give way to the other families, never the other way', async () => {
  const lambdas = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1];
  const families = [];
  for (const l of lambdas) {
    const list = (await engineAt(l)).recommend({ k: 4 });
    assert.equal(list.length, 4);
    assert.equal(list[0].id, 'a1', `λ ${l}: the best item leads whatever λ`);
    families.push(new Set(ids(list).map(FAMILY)).size);
  }
  for (let i = 1; i < families.length; i++) {
    assert.ok(families[i] >= families[i - 1], `families in the top 4 by λ ${lambdas.join(', ')}: ${families.join(', ')}`);
  }
  assert.equal(families[0], 1, 'λ 0: one family');
  assert.equal(families.at(-1), 3, 'λ 1: every family');
  /* a strong λ alternates: one of each family, best first, before any second of a family */
  for (const l of [0.6, 0.8]) {
    const list = (await engineAt(l)).recommend({ k: 12 });
    assert.deepEqual(ids(list).slice(0, 3), ['a1', 'b1', 'c1'], `λ ${l}`);
    assert.deepEqual([...ids(list)].sort(), [...SCORE_ORDER].sort(), `λ ${l}: the same items, reordered`);
  }
});

test('the switch from a duplicate to another family happens where λ outweighs the loss of relevance', async () => {
  /* MMR picks, after a1, the item with the largest (1 − λ)·relevance − λ·(similarity to a1),
     relevance being the score scaled to [0, 1] over the candidates (here the whole catalog).
     a2 is a1's exact duplicate (similarity 1), b1 shares nothing with it (similarity 0): b1
     comes second once λ > (1 − λ)·(rel(a2) − rel(b1)), i.e. λ > d / (1 + d) */
  const engine = await engineAt(0);
  const score = (id) => engine.explain(id).score;
  const lo = Math.min(...SCORE_ORDER.map(score));
  const hi = Math.max(...SCORE_ORDER.map(score));
  const d = (score('a2') - score('b1')) / (hi - lo);
  const threshold = d / (1 + d);
  assert.ok(threshold > 0.1 && threshold < 0.9, `threshold ${threshold}`);
  const second = async (l) => (await engineAt(l)).recommend({ k: 2 })[1].id;
  assert.equal(await second(threshold - 0.02), 'a2', `λ ${threshold - 0.02} (threshold ${threshold.toFixed(3)})`);
  assert.equal(await second(threshold + 0.02), 'b1', `λ ${threshold + 0.02} (threshold ${threshold.toFixed(3)})`);
});

test('item vectors count as similarity too: near-identical vectors are spread apart', async () => {
  /* every item has the same tag and category, so only the vectors tell the two clusters apart */
  const items = [];
  for (let i = 0; i < 4; i++) {
    items.push({ id: `v${i + 1}`, tags: ['story'], category: 'news', popularity: 1000 - 10 * i, vector: [1, 0.01 * i, 0] });
  }
  for (let i = 0; i < 4; i++) {
    items.push({ id: `w${i + 1}`, tags: ['story'], category: 'news', popularity: 800 - 10 * i, vector: [0, 1, 0.01 * i] });
  }
  const vc = { version: 1, dim: 3, items };
  assert.deepEqual(ids((await engineAt(0, {}, 'behavioral', vc)).recommend({ k: 3 })), ['v1', 'v2', 'v3']);
  const spread = ids((await engineAt(0.8, {}, 'behavioral', vc)).recommend({ k: 3 }));
  assert.equal(spread[0], 'v1');
  assert.equal(spread[1], 'w1', `λ 0.8: ${spread}`);
});

test('below level behavioral diversity does not reorder anything', async () => {
  for (const level of ['none', 'segment']) {
    for (const l of [0.5, 1]) {
      assert.deepEqual(ids((await engineAt(l, {}, level)).recommend({ k: 12 })), SCORE_ORDER, `${level}, λ ${l}`);
    }
  }
});

/** How many items of each category a list holds. */
function perCategory(list, cat = catalog) {
  const of = new Map(cat.items.map((it) => [it.id, it.category]));
  const n = {};
  for (const r of list) n[of.get(r.id)] = (n[of.get(r.id)] ?? 0) + 1;
  return n;
}

test('maxPerCategory caps each category of the top k, with and without MMR', async () => {
  const cap = { ranking: { maxPerCategory: 2 } };
  /* λ 0: the order by score, skipping a category once it holds two */
  assert.deepEqual(ids((await engineAt(0, cap)).recommend({ k: 6 })), ['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
  for (const l of [0, 0.2, 0.5, 0.8, 1]) {
    const engine = await engineAt(l, cap);
    const list = engine.recommend({ k: 6 });
    assert.equal(list.length, 6, `λ ${l}`);
    assert.equal(new Set(ids(list)).size, 6, `λ ${l}: no item twice`);
    for (const [c, n] of Object.entries(perCategory(list))) assert.ok(n <= 2, `λ ${l}: ${n} items of ${c}: ${ids(list)}`);
    /* asking for more than the cap allows returns what it allows: two of each of three categories */
    const long = engine.recommend({ k: 10 });
    assert.equal(long.length, 6, `λ ${l}: ${ids(long)}`);
    assert.deepEqual(perCategory(long), { business: 2, sport: 2, culture: 2 });
  }
  /* with MMR the capped list still alternates first */
  assert.deepEqual(ids((await engineAt(0.8, cap)).recommend({ k: 6 })).slice(0, 3), ['a1', 'b1', 'c1']);
  /* a cap of 1 with MMR: one per category, best of each */
  assert.deepEqual(ids((await engineAt(0.5, { ranking: { maxPerCategory: 1 } })).recommend({ k: 6 })), ['a1', 'b1', 'c1']);
});

test('explain() and the reasons stay those of the score, whatever place diversity gives an item', async () => {
  const history = async (engine) => {
    await engine.track({ item: 'a4', type: 'like' }); /* markets and rates: affinity for the a family */
    await engine.track({ item: 'c4', type: 'click' });
  };
  const base = await engineAt(0);
  await history(base);
  const order = ids(base.recommend({ k: 20 }));
  assert.equal(order.length, 10, 'the two seen items are left out');
  const reasonsAt0 = new Map(base.recommend({ k: 20 }).map((r) => [r.id, r.reasons]));
  for (const [l, extra] of [[0.5, {}], [1, {}], [0.8, { ranking: { maxPerCategory: 2 } }]]) {
    const engine = await engineAt(l, extra);
    await history(engine);
    const list = engine.recommend({ k: 6 });
    assert.notDeepEqual(ids(list), order.slice(0, 6), `λ ${l}: diversity moved something`);
    for (const r of list) {
      const x = engine.explain(r.id);
      assert.equal(x.score, r.score, `λ ${l} ${r.id}: recommend and explain agree on the score`);
      assert.equal(x.contributions.reduce((s, c) => s + c.weight, 0), x.score, `λ ${l} ${r.id}: contributions add up`);
      assert.equal(x.excluded, null);
      /* rank is the place by score, before diversity and the cap reorder the list */
      assert.equal(x.rank, order.indexOf(r.id) + 1, `λ ${l} ${r.id}`);
      /* the reasons are why the item scores, not where it was placed */
      assert.ok(r.reasons.length >= 1 && r.reasons.every((s) => typeof s === 'string' && s.length > 0));
      assert.deepEqual(r.reasons, reasonsAt0.get(r.id), `λ ${l} ${r.id}`);
    }
  }
});
