import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeCatalog, makeClock, itemId, storedBytes, bytesContain, exportBody, recordingStorage,
  expectCode, DAY, HOUR, T0,
} from './helpers.js';

const catalog = makeCatalog({ n: 40, seed: 3 });
const config = { traits: { plan: ['free', 'pro', 'team'] } };
const isoDay = (t) => new Date(t).toISOString().slice(0, 10);

/** Day 0: a trait, interactions, a dismissal, engagement counts and a block; day 15: more. */
async function fillProfile(engine, clock) {
  await engine.setTraits({ plan: 'pro' });
  const list = engine.recommend({ k: 5 });
  await engine.track({ item: list[0].id, type: 'impression' });
  await engine.track({ item: itemId(0), type: 'click' });
  clock.advance(60_000);
  await engine.track({ item: itemId(1), type: 'view' });
  await engine.track({ item: itemId(2), type: 'like' });
  await engine.track({ item: itemId(3), type: 'dismiss' });
  await engine.block({ item: itemId(30) });
  clock.set(T0 + 15 * DAY);
  await engine.track({ item: itemId(10), type: 'view' });
  clock.advance(1000);
  await engine.track({ item: itemId(11), type: 'click' });
}

test('day 31 removes day-0 data from memory and from the stored snapshot', async () => {
  const ctx = await open({ catalog, config });
  const { engine, clock, storage } = ctx;
  await fillProfile(engine, clock);
  const before = await engine.export();
  assert.ok(before.history.some((h) => h.item === itemId(0)), 'set-up: day-0 interactions are there');

  clock.set(T0 + 31 * DAY);
  const inv = engine.inventory();
  const ex = await engine.export();
  assert.deepEqual(ex.history.map((h) => h.item), [itemId(10), itemId(11)]);
  assert.deepEqual(ex.dismissed, [], 'the day-0 dismissal is gone');
  assert.deepEqual(ex.traits, {}, 'the day-0 trait is gone');
  assert.ok(!ex.activeDays.includes(isoDay(T0)), 'day 0 is gone from the activity days');
  assert.ok(ex.activeDays.includes(isoDay(T0 + 15 * DAY)));
  assert.equal(ex.metrics.since, null, 'engagement counts from day 0 are reset');
  assert.deepEqual(ex.blocked.items.map((b) => b.item), [itemId(30)], 'blocks are kept until unblocked');
  const history = inv.find((r) => r.key === 'history');
  assert.equal(history.count, 2);
  assert.equal(history.oldest, T0 + 15 * DAY);
  assert.equal(inv.find((r) => r.key === 'dismissed').count, 0);
  assert.equal(inv.find((r) => r.key === 'traits').count, 0);
  assert.equal(engine.metrics().total.impressions, 0);

  /* the stored copy, byte for byte */
  const bytes = await storedBytes(engine, storage);
  for (const i of [0, 1, 2, 3]) assert.equal(bytesContain(bytes, itemId(i)), false, `${itemId(i)} is still stored`);
  assert.equal(bytesContain(bytes, 'plan'), false, 'the expired trait is still stored');
  assert.equal(bytesContain(bytes, itemId(10)), true);

  /* a second engine whose clock is back at day 0 would still show day-0 data if it were stored */
  const second = await reopen(ctx, { clock: makeClock(T0 + HOUR) });
  const seen = await second.engine.export();
  assert.deepEqual(seen.history.map((h) => h.item), [itemId(10), itemId(11)]);
  assert.deepEqual(seen.dismissed, []);
  assert.deepEqual(seen.traits, {});
});

test('data younger than the retention survives; it goes the moment it is older', async () => {
  const { engine, clock } = await open({ catalog, config });
  clock.set(T0 + 1.5 * DAY);
  await engine.track({ item: itemId(5), type: 'click' });
  const expiresAt = engine.inventory().find((r) => r.key === 'history').expiresAt;
  assert.equal(expiresAt, T0 + 31.5 * DAY, 'inventory says when it expires');
  clock.set(expiresAt);
  assert.equal((await engine.export()).history.length, 1, 'still there at expiresAt');
  clock.set(expiresAt + 1);
  assert.equal((await engine.export()).history.length, 0, 'gone 1 ms after expiresAt');
});

test('history.retentionDays from the config is honoured', async () => {
  const { engine, clock } = await open({ catalog, config: { ...config, history: { retentionDays: 7 } } });
  await engine.setTraits({ plan: 'team' });
  await engine.track({ item: itemId(5), type: 'click' });
  clock.set(T0 + 6 * DAY);
  assert.equal((await engine.export()).history.length, 1);
  clock.set(T0 + 7 * DAY + 1);
  const ex = await engine.export();
  assert.equal(ex.history.length, 0);
  assert.deepEqual(ex.traits, {});
  await expectCode(() => engine.track({ item: itemId(6), type: 'click', at: clock.t - 8 * DAY }), 'bad_argument');
});

test('retention is enforced on open: a stored profile older than the retention is trimmed and written back', async () => {
  const rec = recordingStorage();
  const first = await open({ catalog, config, storage: rec });
  await fillProfile(first.engine, first.clock);
  await first.engine.flush();
  assert.equal(bytesContain(rec.peek('default'), itemId(0)), true, 'set-up: day-0 data is stored');

  const second = await reopen(first, { clock: makeClock(T0 + 31 * DAY) });
  /* nothing but opening has happened: the stored copy must already be trimmed */
  const bytes = rec.peek('default');
  for (const i of [0, 1, 2, 3]) assert.equal(bytesContain(bytes, itemId(i)), false, `${itemId(i)} is still stored`);
  assert.equal(bytesContain(bytes, 'plan'), false);
  assert.equal(bytesContain(bytes, itemId(11)), true);
  const ex = await second.engine.export();
  assert.deepEqual(ex.history.map((h) => h.item), [itemId(10), itemId(11)]);
  assert.deepEqual(ex.traits, {});

  /* everything expired: opening leaves an empty profile stored */
  const third = await reopen(second, { clock: makeClock(T0 + 60 * DAY) });
  const empty = await third.engine.export();
  assert.deepEqual(empty.history, []);
  assert.equal(bytesContain(rec.peek('default'), itemId(11)), false);
});

test('a read-only call is enough to remove expired data from the stored copy', async () => {
  const { engine, clock, storage } = await open({ catalog, config });
  await fillProfile(engine, clock);
  await engine.flush();
  clock.set(T0 + 31 * DAY);
  const reasons = [];
  engine.on('change', (e) => reasons.push(e.reason));
  engine.recommend({ k: 3 });
  assert.ok(reasons.includes('expired'), `a change event says data expired (got ${reasons})`);
  const bytes = await storedBytes(engine, storage);
  assert.equal(bytesContain(bytes, itemId(0)), false);
  assert.equal(bytesContain(bytes, itemId(3)), false);
});

test('usage falls back to light once active days are older than 30 days', async () => {
  const cfg = { ...config, segments: [{ label: 'regulars', when: { usage: ['regular', 'heavy'] } }] };
  const { engine, clock } = await open({ catalog, config: cfg });
  for (let d = 0; d < 5; d++) {
    clock.set(T0 + d * DAY);
    await engine.track({ item: itemId(d), type: 'view' });
  }
  assert.equal(engine.segment(), 'regulars');
  clock.set(T0 + 36 * DAY);
  assert.equal(engine.segment(), 'general');
  assert.deepEqual((await exportBody(engine)).activeDays, []);
});

test('expiry noticed by a call that then fails still reaches the stored copy', async () => {
  const { engine, clock, storage } = await open({ catalog, config });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.flush();
  clock.set(T0 + 31 * DAY);
  await expectCode(() => engine.explain('no-such-item'), 'unknown_item');
  const bytes = await storedBytes(engine, storage); /* no successful call in between */
  assert.equal(bytesContain(bytes, itemId(1)), false, 'expired data is still stored after flush');
  assert.deepEqual((await engine.export()).history, [], 'expired in memory');
});

test('the inventory lists every kind of stored data with what, why, when it expires and whether it leaves', async () => {
  const { engine, clock } = await open({ catalog, config });
  await fillProfile(engine, clock);
  engine.serverPayload();
  const inv = engine.inventory();
  const keys = inv.map((r) => r.key);
  for (const k of ['level', 'traits', 'activity', 'blocked', 'metrics', 'serverLabel', 'history', 'dismissed', 'affinities']) {
    assert.ok(keys.includes(k), `inventory lacks ${k}`);
  }
  for (const r of inv) {
    assert.equal(typeof r.what, 'string');
    assert.equal(typeof r.why, 'string');
    assert.ok(r.what.length > 5 && r.why.length > 5, r.key);
    assert.ok(Number.isInteger(r.count) && r.count >= 0, r.key);
    assert.ok(r.oldest === null || Number.isFinite(r.oldest), r.key);
    assert.ok(r.expiresAt === null || r.expiresAt > r.oldest, r.key);
    assert.ok(['segment', 'behavioral', 'contextual', 'individual'].includes(r.level), r.key);
    assert.equal(typeof r.stored, 'boolean');
    assert.equal(r.leavesDevice, r.key === 'serverLabel', `${r.key}: only the label may leave the device`);
  }
  const history = inv.find((r) => r.key === 'history');
  assert.equal(history.expiresAt, history.oldest + 30 * DAY);
  assert.equal(inv.find((r) => r.key === 'affinities').stored, false, 'affinities are derived, never stored');
});
