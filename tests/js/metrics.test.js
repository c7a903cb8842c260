import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, reopen, makeCatalog, LEVELS } from './helpers.js';

const catalog = makeCatalog({ n: 40, seed: 13 });

const at = (m, level, position) => m.levels[level].positions.find((p) => p.position === position);

test('impressions and clicks are counted by level and by 1-based position in the last list', async () => {
  const { engine } = await open({ catalog });
  const list = engine.recommend({ k: 5 });
  for (const r of list) await engine.track({ item: r.id, type: 'impression' });
  await engine.track({ item: list[2].id, type: 'click' });
  const m = engine.metrics();
  const b = m.levels.behavioral;
  assert.equal(b.impressions, 5);
  assert.equal(b.clicks, 1);
  assert.equal(b.ctr, 0.2);
  assert.deepEqual(b.positions.map((p) => p.position), [1, 2, 3, 4, 5]);
  for (const p of b.positions) {
    assert.equal(p.impressions, 1);
    assert.equal(p.clicks, p.position === 3 ? 1 : 0);
    assert.equal(p.ctr, p.position === 3 ? 1 : 0);
    assert.equal(p.orLater, false);
  }
  assert.deepEqual(m.total, { impressions: 5, clicks: 1, ctr: 0.2 });
  for (const level of LEVELS.filter((l) => l !== 'behavioral')) {
    assert.deepEqual(m.levels[level], { impressions: 0, clicks: 0, ctr: null, positions: [] });
  }
});

test('CTR is clicks over impressions; only clicks count as clicks', async () => {
  const { engine } = await open({ catalog });
  const list = engine.recommend({ k: 4 });
  for (const r of list) await engine.track({ item: r.id, type: 'impression' });
  await engine.track({ item: list[0].id, type: 'view' });
  await engine.track({ item: list[1].id, type: 'like' });
  await engine.track({ item: list[3].id, type: 'click' });
  const b = engine.metrics().levels.behavioral;
  assert.equal(b.impressions, 4);
  assert.equal(b.clicks, 1);
  assert.equal(b.ctr, 0.25);
  assert.equal(at(engine.metrics(), 'behavioral', 4).ctr, 1);
  assert.equal(at(engine.metrics(), 'behavioral', 1).clicks, 0);
});

test('a click on an item from no recent list has no position, and its CTR is null without impressions', async () => {
  const { engine } = await open({ catalog });
  const shown = engine.recommend({ k: 3 }).map((r) => r.id);
  const other = catalog.items.map((i) => i.id).find((id) => !shown.includes(id));
  await engine.track({ item: other, type: 'click' });
  const m = engine.metrics();
  const p = at(m, 'behavioral', null);
  assert.ok(p, 'a row with position null');
  assert.equal(p.clicks, 1);
  assert.equal(p.impressions, 0);
  assert.equal(p.ctr, null);
  assert.equal(m.levels.behavioral.ctr, null);
});

test('the most recent list gives the position', async () => {
  const { engine } = await open({ catalog });
  const first = engine.recommend({ k: 5 }).map((r) => r.id);
  const second = engine.recommend({ k: 5, exclude: [first[0]] }).map((r) => r.id);
  const item = first[3];
  assert.equal(second.indexOf(item), 2, 'set-up: the item moved from position 4 to 3');
  await engine.track({ item, type: 'click' });
  assert.equal(at(engine.metrics(), 'behavioral', 3).clicks, 1);
});

test('positions after 20 are counted in position 20, flagged orLater', async () => {
  const { engine } = await open({ catalog });
  const list = engine.recommend({ k: 30 });
  for (const r of list.slice(18)) await engine.track({ item: r.id, type: 'impression' });
  await engine.track({ item: list[25].id, type: 'click' });
  const b = engine.metrics().levels.behavioral;
  assert.deepEqual(b.positions.map((p) => [p.position, p.orLater, p.impressions, p.clicks]), [
    [19, false, 1, 0],
    [20, true, 11, 1],
  ]);
});

test('a click is counted at the level its list was ranked at', async () => {
  const { engine } = await open({ catalog, config: { privacyLevel: 'segment' } });
  const list = engine.recommend({ k: 3 });
  for (const r of list) await engine.track({ item: r.id, type: 'impression' });
  await engine.setPrivacyLevel('behavioral');
  await engine.track({ item: list[1].id, type: 'click' });
  const m = engine.metrics();
  assert.equal(m.levels.segment.impressions, 3);
  assert.equal(m.levels.segment.clicks, 1);
  assert.equal(at(m, 'segment', 2).clicks, 1);
  assert.equal(m.levels.behavioral.clicks, 0);
  const list2 = engine.recommend({ k: 3 });
  await engine.track({ item: list2[0].id, type: 'impression' });
  assert.equal(engine.metrics().levels.behavioral.impressions, 1);
});

test('nothing is counted at level none, and nothing appears when the level is raised', async () => {
  const { engine } = await open({ catalog, config: { privacyLevel: 'none' } });
  const list = engine.recommend({ k: 5 });
  for (const r of list) await engine.track({ item: r.id, type: 'impression' });
  await engine.track({ item: list[0].id, type: 'click' });
  const zero = engine.metrics();
  assert.equal(zero.since, null);
  assert.deepEqual(zero.total, { impressions: 0, clicks: 0, ctr: null });
  for (const level of LEVELS) assert.equal(zero.levels[level].impressions + zero.levels[level].clicks, 0);
  await engine.setPrivacyLevel('behavioral');
  assert.deepEqual(engine.metrics().total, { impressions: 0, clicks: 0, ctr: null });
});

test('a list ranked at none never gets counts: a later click on it is not filed under level none', async () => {
  const { engine } = await open({ catalog, config: { privacyLevel: 'none' } });
  const list = engine.recommend({ k: 5 });
  await engine.track({ item: list[0].id, type: 'impression' });
  await engine.setPrivacyLevel('behavioral');
  await engine.track({ item: list[1].id, type: 'click' });
  const m = engine.metrics();
  assert.deepEqual(m.levels.none, { impressions: 0, clicks: 0, ctr: null, positions: [] },
    'level none shows clicks without impressions');
});

test('metrics persist across a reload and are listed in the inventory without items or times', async () => {
  const ctx = await open({ catalog });
  const list = ctx.engine.recommend({ k: 3 });
  for (const r of list) await ctx.engine.track({ item: r.id, type: 'impression' });
  await ctx.engine.track({ item: list[0].id, type: 'click' });
  const before = ctx.engine.metrics();
  assert.equal(before.since, ctx.clock.t);
  const again = await reopen(ctx);
  assert.deepEqual(again.engine.metrics(), before);
  const row = again.engine.inventory().find((r) => r.key === 'metrics');
  assert.equal(row.count, 4);
  assert.equal(row.leavesDevice, false);
  for (const r of list) assert.ok(!row.what.includes(r.id));
});
