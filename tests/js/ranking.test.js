import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open as openAny, scoreOrder, reopen, flatCatalog, makeCatalog, exportBody, expectCode, DAY, T0 } from './helpers.js';

/* these tests are about the order by score: diversity re-ranking is off (see diversity.test.js) */
const open = (o = {}) => openAny({ ...o, config: scoreOrder(o.config) });

/* Every item scores the same at level none: no popularity, no dates. */
const flat = flatCatalog([
  ['a1', ['ai'], 'tech'],
  ['a2', ['ai'], 'tech'],
  ['a3', ['ai', 'basics'], 'howto'],
  ['b1', ['design'], 'news'],
  ['b2', ['design'], 'news'],
  ['b3', ['design', 'basics'], 'howto'],
  ['c1', ['health'], 'tech'],
  ['c2', ['security'], 'news'],
  ['c3', ['security'], 'opinion'],
  ['d1', ['cloud'], 'tech'],
  ['d2', ['cloud', 'ai'], 'wellbeing'],
  ['d3', ['cloud'], 'opinion'],
]);
const allIds = flat.items.map((i) => i.id);
const ids = (list) => list.map((r) => r.id);
const rank = (engine, opts = { k: 100 }) => ids(engine.recommend(opts));

test('equal scores are ordered deterministically, by catalog order, on every call and every engine', async () => {
  const { engine } = await open({ catalog: flat });
  assert.deepEqual(rank(engine), allIds);
  for (let i = 0; i < 5; i++) assert.deepEqual(rank(engine), allIds);
  const other = await open({ catalog: flat });
  assert.deepEqual(rank(other.engine), allIds);
  assert.deepEqual(rank(engine, { k: 4 }), allIds.slice(0, 4), 'a shorter list is a prefix of the longer one');
});

test('at level none, popularity and freshness order the catalog', async () => {
  const catalog = { version: 1, items: [
    { id: 'old-unpopular', popularity: 1, publishedAt: T0 - 300 * DAY },
    { id: 'popular', popularity: 100000, publishedAt: T0 - 300 * DAY },
    { id: 'new', popularity: 1, publishedAt: T0 - DAY / 2 },
  ] };
  const { engine } = await open({ catalog, config: { privacyLevel: 'none' } });
  const list = rank(engine);
  assert.equal(list.at(-1), 'old-unpopular');
  assert.ok(engine.explain('new').contributions.some((c) => c.signal === 'freshness'));
  assert.ok(engine.explain('popular').contributions.some((c) => c.signal === 'popularity'));
});

test('items the user already interacted with are left out (ranking.excludeSeen)', async () => {
  const { engine } = await open({ catalog: flat });
  await engine.track({ item: 'a1', type: 'click' });
  await engine.track({ item: 'c2', type: 'view' });
  const list = rank(engine);
  assert.ok(!list.includes('a1') && !list.includes('c2'));
  assert.equal(list.length, allIds.length - 2);
  assert.match(engine.explain('a1').excluded, /seen/i);

  const open2 = await open({ catalog: flat, config: { ranking: { excludeSeen: false } } });
  await open2.engine.track({ item: 'a1', type: 'click' });
  assert.ok(rank(open2.engine).includes('a1'), 'with excludeSeen false seen items may rank');
});

test('dismissed items never rank, even when seen items are allowed', async () => {
  const { engine } = await open({ catalog: flat, config: { ranking: { excludeSeen: false } } });
  await engine.track({ item: 'b2', type: 'dismiss' });
  await engine.track({ item: 'b2', type: 'click' });
  assert.ok(!rank(engine).includes('b2'));
  assert.match(engine.explain('b2').excluded, /not interested/i);
});

test('blocked items and tags never rank, whatever boosts, pins or filters say; unblock restores them', async () => {
  const config = {
    traits: { plan: ['pro'] },
    segments: [{ label: 'pros', boost: { items: { a2: 10 }, tags: { design: 10 } } }],
    editorial: { pins: [{ item: 'a2', position: 1 }, { item: 'b1', position: 3 }] },
  };
  const ctx = await open({ catalog: flat, config });
  const { engine } = ctx;
  await engine.block({ item: 'a2' });
  await engine.block({ tag: 'design' });
  const check = (e) => {
    for (const opts of [{ k: 100 }, { k: 3 }, { k: 100, filter: { tags: ['design', 'ai'] } }, { k: 100, filter: { categories: ['news'] } }]) {
      const list = rank(e, opts);
      for (const id of ['a2', 'b1', 'b2', 'b3']) assert.ok(!list.includes(id), `${id} ranked with ${JSON.stringify(opts)}`);
    }
    assert.match(e.explain('a2').excluded, /block/i);
    assert.match(e.explain('b3').excluded, /design/);
  };
  check(engine);
  const again = await reopen(ctx);
  check(again.engine);
  const inv = again.engine.inventory().find((r) => r.key === 'blocked');
  assert.equal(inv.count, 2);

  await again.engine.unblock({ item: 'a2' });
  await again.engine.unblock({ tag: 'design' });
  const list = rank(again.engine);
  for (const id of ['a2', 'b1', 'b2', 'b3']) assert.ok(list.includes(id), `${id} is back`);
  assert.equal(list[0], 'a2', 'the pin applies again');
  await again.engine.unblock({ tag: 'design' }); /* unblocking twice is harmless */
  assert.deepEqual((await exportBody(again.engine)).blocked, { tags: [], items: [] });
});

test('blocking is idempotent and validated', async () => {
  const { engine } = await open({ catalog: flat });
  await engine.block({ tag: 'ai' });
  await engine.block({ tag: 'ai' });
  assert.equal((await engine.export()).blocked.tags.length, 1);
  await expectCode(() => engine.block({ item: 'zz' }), 'unknown_item');
  await expectCode(() => engine.block({ tag: 'not-a-tag' }), 'bad_argument');
  await expectCode(() => engine.block({ tag: 'ai', item: 'a1' }), 'bad_argument');
});

test('filter keeps items with any of the tags and one of the categories', async () => {
  const { engine } = await open({ catalog: flat });
  assert.deepEqual(rank(engine, { k: 100, filter: { tags: ['ai'] } }), ['a1', 'a2', 'a3', 'd2']);
  assert.deepEqual(rank(engine, { k: 100, filter: { tags: ['basics', 'health'] } }), ['a3', 'b3', 'c1']);
  assert.deepEqual(rank(engine, { k: 100, filter: { categories: ['howto', 'opinion'] } }), ['a3', 'b3', 'c3', 'd3']);
  assert.deepEqual(rank(engine, { k: 100, filter: { tags: ['ai'], categories: ['tech'] } }), ['a1', 'a2']);
  assert.deepEqual(rank(engine, { k: 100, filter: { tags: [] } }), [], 'no tag matches an empty list');
  assert.deepEqual(rank(engine, { k: 100, filter: { tags: ['unknown-tag'] } }), []);
  assert.deepEqual(rank(engine, { k: 100, filter: {} }), allIds, 'an empty filter keeps everything');
  const scored = engine.recommend({ k: 100, filter: { tags: ['ai'] } });
  for (const r of scored) assert.equal(r.score, engine.explain(r.id).score, 'filtering does not change scores');
});

test('exclude leaves out the given ids and ignores unknown ones', async () => {
  const { engine } = await open({ catalog: flat });
  assert.deepEqual(rank(engine, { k: 100, exclude: ['a1', 'b2', 'nope'] }), allIds.filter((id) => id !== 'a1' && id !== 'b2'));
  assert.deepEqual(rank(engine, { k: 3, exclude: ['a1'] }), ['a2', 'a3', 'b1']);
  assert.deepEqual(rank(engine, { k: 100, exclude: [] }), allIds);
});

test('editorial pins hold their positions; pins beyond k, for other segments or excluded are skipped', async () => {
  const config = {
    traits: { plan: ['free', 'pro'] },
    segments: [{ label: 'pros', when: { plan: ['pro'] } }],
    editorial: {
      pins: [
        { item: 'd3', position: 1 },
        { item: 'c3', position: 3, segment: 'pros' },
        { item: 'b3', position: 4, segment: 'general' },
        { item: 'c2', position: 6 },
      ],
      exclude: ['a3'],
    },
  };
  const { engine } = await open({ catalog: flat, config });
  let list = engine.recommend({ k: 5 });
  assert.deepEqual(ids(list), ['d3', 'a1', 'a2', 'b3', 'b1']);
  assert.deepEqual(rank(engine, { k: 6 }), ['d3', 'a1', 'a2', 'b3', 'b1', 'c2'], 'a pin at 6 shows once k reaches 6');
  assert.deepEqual(list.map((r) => r.editorial ?? false), [true, false, false, true, false]);
  await engine.setTraits({ plan: 'pro' });
  list = engine.recommend({ k: 5 });
  assert.deepEqual(ids(list), ['d3', 'a1', 'c3', 'a2', 'b1']);
  assert.equal(new Set(rank(engine, { k: 100 })).size, allIds.length - 1, 'each item at most once');
  assert.ok(!rank(engine, { k: 100 }).includes('a3'), 'editorial.exclude never ranks');
  assert.deepEqual(rank(engine, { k: 5, exclude: ['d3'] })[0], 'a1', 'the caller can exclude a pinned item');
  await engine.track({ item: 'd3', type: 'dismiss' });
  assert.ok(!rank(engine).includes('d3'), 'a dismissed item is not pinned');
});

test('segment boosts lift the boosted tags, categories and items, and only for that segment', async () => {
  const config = {
    traits: { plan: ['free', 'pro'] },
    segments: [{ label: 'pros', when: { plan: ['pro'] }, boost: { tags: { security: 1 }, categories: { opinion: 0.5 }, items: { d1: 2 } } }],
  };
  const { engine } = await open({ catalog: flat, config });
  assert.deepEqual(rank(engine), allIds, 'no boost for the default segment');
  await engine.setTraits({ plan: 'pro' });
  assert.deepEqual(rank(engine).slice(0, 4), ['d1', 'c3', 'c2', 'd3']);
  await engine.setPrivacyLevel('none');
  assert.deepEqual(rank(engine), allIds, 'segment boosts need the segment level');
});

test('behavioural affinity moves items with the clicked tags up, and only from the behavioral level', async () => {
  const { engine } = await open({ catalog: flat });
  await engine.track({ item: 'b1', type: 'click' });
  const list = rank(engine);
  assert.equal(list[0], 'b2', 'the item with the same tag and category comes first');
  assert.ok(list.indexOf('b3') < list.indexOf('a1'), 'an item sharing the tag beats a neutral one');
  assert.ok(list.indexOf('c2') < list.indexOf('a1'), 'an item sharing the category beats a neutral one');

  const seg = await open({ catalog: flat, config: { privacyLevel: 'segment' } });
  await seg.engine.track({ item: 'b1', type: 'click' });
  assert.deepEqual(rank(seg.engine), allIds, 'at segment, interactions do not personalise');
});

test('more interest in a tag moves it further up; a dismissal pushes its tag down', async () => {
  const { engine, clock } = await open({ catalog: flat });
  for (let i = 0; i < 3; i++) {
    clock.advance(60_000);
    await engine.track({ item: 'a1', type: 'click' });
  }
  await engine.track({ item: 'b1', type: 'click' });
  let list = rank(engine);
  assert.ok(list.indexOf('a2') < list.indexOf('b2'), 'three clicks on ai/tech beat one on design/news');
  await engine.track({ item: 'c2', type: 'dismiss' });
  list = rank(engine);
  assert.ok(list.indexOf('c3') > list.indexOf('d3'), 'an item sharing the dismissed tag ranks below a neutral one');
  assert.ok(engine.explain('c3').score < 0);
});

test('related items (catalog neighbors) of what the user liked move up', async () => {
  const catalog = flatCatalog([['x1', ['t1']], ['x2', ['t2']], ['x3', ['t3']], ['x4', ['t4']]]);
  catalog.items[0].neighbors = [['x4', 1], ['missing', 1]];
  const { engine } = await open({ catalog });
  assert.equal(engine.catalogInfo.droppedNeighbors, 1);
  await engine.track({ item: 'x1', type: 'like' });
  assert.equal(rank(engine)[0], 'x4');
  assert.ok(engine.explain('x4').contributions.some((c) => c.signal === 'related'));
});

test('interactions with sensitive items are not stored and do not move the ranking', async () => {
  const config = { sensitiveTags: ['health', 'wellbeing'] };
  const { engine } = await open({ catalog: flat, config });
  const baseline = engine.recommend({ k: 100 });
  await engine.track({ item: 'c1', type: 'click' }); /* tagged health */
  await engine.track({ item: 'd2', type: 'purchase' }); /* category wellbeing */
  const ex = await engine.export();
  assert.deepEqual(ex.history, []);
  assert.deepEqual(engine.recommend({ k: 100 }), baseline);
  assert.equal(engine.inventory().find((r) => r.key === 'affinities').count, 0);
});

test('ranking.maxPerCategory caps how many items of one category a list holds', async () => {
  const { engine } = await open({ catalog: flat, config: { ranking: { maxPerCategory: 1 } } });
  const list = engine.recommend({ k: 100 });
  const cats = list.map((r) => flat.items.find((i) => i.id === r.id).category);
  assert.equal(new Set(cats).size, cats.length, `categories repeat: ${cats}`);
  assert.equal(list.length, new Set(flat.items.map((i) => i.category)).size);
});

test('k of 0 gives an empty list; k above the catalog size gives every eligible item once', async () => {
  const { engine } = await open({ catalog: flat });
  assert.deepEqual(engine.recommend({ k: 0 }), []);
  assert.deepEqual(rank(engine, { k: 1000 }), allIds);
  await engine.track({ item: 'a1', type: 'click' });
  assert.equal(engine.recommend({ k: 1000 }).length, allIds.length - 1);
  assert.equal(engine.recommend().length, 10, 'k defaults to 10');
  const big = await open({ catalog: makeCatalog({ n: 300 }) });
  assert.equal(big.engine.recommend({ k: 1000 }).length, 300);
});

test('a reload does not change the ranking of the same profile', async () => {
  const ctx = await open({ catalog: makeCatalog({ n: 60, seed: 4, neighbors: 2 }) });
  const { engine, clock } = ctx;
  for (let i = 0; i < 10; i++) {
    clock.advance(3_600_000);
    await engine.track({ item: `item-${String(i * 5).padStart(3, '0')}`, type: ['view', 'click', 'like'][i % 3] });
  }
  const before = engine.recommend({ k: 30 });
  const again = await reopen(ctx);
  assert.deepEqual(again.engine.recommend({ k: 30 }), before);
});

test('the first interaction counts once in the affinities (as much as a later identical one)', async () => {
  const catalog = flatCatalog([['p', ['t']], ['q', ['t']], ['r', ['u']], ['s', ['u']]]);
  const { engine, clock } = await open({ catalog });
  await engine.track({ item: 'p', type: 'click' });
  clock.advance(1);
  await engine.track({ item: 'r', type: 'click', at: clock.t - 1 });
  const q = engine.explain('q').contributions.find((c) => c.signal === 'affinity');
  const s = engine.explain('s').contributions.find((c) => c.signal === 'affinity');
  assert.ok(q && s);
  assert.equal(q.weight, s.weight, 'two clicks at the same time on items with one tag each weigh the same');
});

test('marking a tag sensitive later removes stored interactions with it on open, from memory and the stored copy', async () => {
  const ctx = await open({ catalog: flat });
  await ctx.engine.track({ item: 'c2', type: 'click' }); /* security */
  ctx.clock.advance(1000);
  await ctx.engine.track({ item: 'b1', type: 'click' });
  const { engine, storage } = await reopen(ctx, { config: { sensitiveTags: ['security'] } });
  assert.deepEqual((await engine.export()).history.map((h) => h.item), ['b1']);
  const bytes = storage.peek('default');
  assert.ok(bytes && !Buffer.from(bytes).includes('c2'), 'the sensitive interaction is still stored');
  assert.ok(!engine.explain('c3').contributions.some((c) => c.tag === 'security'), 'nothing is learned from it');
});
