import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeCatalog, makeClock, itemId, storedBytes, bytesContain, exportBody,
} from './helpers.js';

const catalog = makeCatalog({ n: 200, seed: 7 });

async function trackMany(engine, clock, ids, type = 'view', stepMs = 1000) {
  for (const id of ids) {
    clock.advance(stepMs);
    await engine.track({ item: id, type });
  }
}

const range = (from, to) => Array.from({ length: to - from }, (_, i) => itemId(from + i));

test('the window of 100 keeps the newest interactions', async () => {
  const ctx = await open({ catalog });
  const { engine, clock, storage } = ctx;
  await trackMany(engine, clock, range(0, 150));
  const { history } = await engine.export();
  assert.equal(history.length, 100);
  assert.deepEqual(history.map((h) => h.item), range(50, 150), 'the newest 100, oldest first');
  for (let i = 1; i < history.length; i++) assert.ok(Date.parse(history[i - 1].at) < Date.parse(history[i].at));
  const row = engine.inventory().find((r) => r.key === 'history');
  assert.equal(row.count, 100);
  assert.equal(row.oldest, Date.parse(history[0].at));

  /* the stored copy holds the same window, and none of the evicted interactions */
  const bytes = await storedBytes(engine, storage);
  assert.equal(bytesContain(bytes, itemId(49)), false, 'an evicted interaction is still stored');
  assert.equal(bytesContain(bytes, itemId(50)), true);
  const again = await reopen(ctx);
  assert.deepEqual((await again.engine.export()).history, history);
});

test('history.size from the config is honoured', async () => {
  for (const size of [1, 10, 250]) {
    const { engine, clock } = await open({ catalog, config: { history: { size } } });
    await trackMany(engine, clock, range(0, 200).concat(range(0, 100)));
    const { history } = await engine.export();
    const all = range(0, 200).concat(range(0, 100));
    assert.equal(history.length, Math.min(size, all.length), `size ${size}`);
    assert.deepEqual(history.map((h) => h.item), all.slice(all.length - size), `size ${size}`);
    assert.match(engine.inventory().find((r) => r.key === 'history').what, new RegExp(`at most ${size} are kept`));
  }
});

test('repeated interactions with one item are each kept, up to the window size', async () => {
  const { engine, clock } = await open({ catalog });
  await trackMany(engine, clock, Array(150).fill(itemId(3)), 'click');
  const { history } = await engine.export();
  assert.equal(history.length, 100);
  assert.ok(history.every((h) => h.item === itemId(3) && h.type === 'click'));
  assert.equal(new Set(history.map((h) => h.id)).size, 100, 'every interaction has its own event id');
  for (const h of history) assert.ok(Number.isSafeInteger(h.id) && h.id >= 0);
});

test('interactions tracked in the same millisecond keep call order; the oldest call is evicted first', async () => {
  const { engine } = await open({ catalog, clock: makeClock() }); /* the clock never moves */
  for (const id of range(0, 150)) await engine.track({ item: id, type: 'view' });
  const { history } = await engine.export();
  assert.equal(history.length, 100);
  assert.deepEqual(history.map((h) => h.item), range(50, 150));
});

test('a back-dated interaction older than the whole window does not evict a newer one', async () => {
  const { engine, clock } = await open({ catalog, config: { history: { size: 5 } } });
  const start = clock.t;
  await trackMany(engine, clock, range(0, 5));
  const before = (await engine.export()).history;
  await engine.track({ item: itemId(99), type: 'click', at: start - 60_000 });
  assert.deepEqual((await engine.export()).history, before);
  /* one between the oldest and the newest takes its place in time order */
  await engine.track({ item: itemId(98), type: 'click', at: start + 2500 });
  const after = (await engine.export()).history.map((h) => h.item);
  assert.deepEqual(after, [itemId(1), itemId(98), itemId(2), itemId(3), itemId(4)]);
});

test('impressions are counted but never enter the window', async () => {
  const { engine, clock } = await open({ catalog });
  await trackMany(engine, clock, range(0, 20), 'impression');
  assert.deepEqual((await engine.export()).history, []);
  assert.equal(engine.metrics().total.impressions, 20);
});

test('below the behavioral level nothing enters the window', async () => {
  const { engine, clock } = await open({ catalog, config: { privacyLevel: 'segment' } });
  await trackMany(engine, clock, range(0, 20), 'click');
  assert.deepEqual((await engine.export()).history, []);
  assert.equal(engine.inventory().some((r) => r.key === 'history'), false);
});

test('a smaller history.size trims a stored window on open, and the trimmed copy is written back', async () => {
  const first = await open({ catalog });
  await trackMany(first.engine, first.clock, range(0, 20));
  const { engine, storage } = await reopen(first, { config: { history: { size: 5 } } });
  assert.deepEqual((await exportBody(engine)).history.map((h) => h.item), range(15, 20));
  /* no call that changes the profile was made: the stored copy must already be trimmed */
  const bytes = storage.peek('default');
  assert.equal(bytesContain(bytes, itemId(0)), false, 'interactions beyond history.size are still stored');
  assert.equal(bytesContain(bytes, itemId(14)), false, 'interactions beyond history.size are still stored');
  assert.equal(bytesContain(bytes, itemId(19)), true);
});
