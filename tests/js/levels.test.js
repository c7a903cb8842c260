import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, reopen, makeCatalog, makeClock, itemId, storedBytes, bytesContain, exportBody, recordingStorage,
  expectCode, expectRejectedUnchanged, LEVELS, createEngine, MemoryStorage,
} from './helpers.js';

const catalog = makeCatalog({ n: 40, seed: 11 });
const config = { traits: { plan: ['free', 'pro', 'team'] } };

/** Traits, five clicks, a dismissal and a blocked tag, all saved. */
async function fillProfile(engine, storage) {
  await engine.setTraits({ plan: 'pro' });
  for (let i = 0; i < 5; i++) await engine.track({ item: itemId(i), type: 'click' });
  await engine.track({ item: itemId(5), type: 'dismiss' });
  await engine.block({ tag: 'security' });
  const bytes = await storedBytes(engine, storage);
  assert.equal(bytesContain(bytes, itemId(0)), true, 'set-up: history is stored');
  assert.equal(bytesContain(bytes, itemId(5)), true, 'set-up: the dismissal is stored');
}

test('downgrading to segment deletes history and dismissed items from memory and storage at once; traits survive', async () => {
  const ctx = await open({ catalog, config });
  const { engine, storage } = ctx;
  await fillProfile(engine, storage);
  await engine.setPrivacyLevel('segment');

  /* no flush: the deletion must already have reached storage */
  const bytes = storage.peek('default');
  assert.ok(bytes, 'the segment-level profile is still stored');
  for (let i = 0; i <= 5; i++) assert.equal(bytesContain(bytes, itemId(i)), false, `${itemId(i)} is still stored`);
  assert.equal(bytesContain(bytes, 'plan'), true, 'traits are kept at segment');
  assert.equal(bytesContain(bytes, 'security'), true, 'blocks are kept at segment');

  const ex = await engine.export();
  assert.equal(ex.level, 'segment');
  assert.equal(ex.levelChosen, true);
  assert.deepEqual(ex.history, []);
  assert.deepEqual(ex.dismissed, []);
  assert.equal(ex.traits.plan.value, 'pro');
  assert.deepEqual(ex.blocked.tags.map((b) => b.tag), ['security']);
  assert.ok(ex.activeDays.length > 0, 'the activity bitmap is segment data and stays');
  const keys = engine.inventory().map((r) => r.key);
  for (const k of ['history', 'dismissed', 'affinities']) assert.ok(!keys.includes(k), `inventory still lists ${k}`);
  assert.equal(engine.level, 'segment');

  const again = await reopen(ctx);
  const ex2 = await again.engine.export();
  assert.equal(ex2.level, 'segment');
  assert.deepEqual(ex2.history, []);
  assert.deepEqual(ex2.dismissed, []);
  assert.equal(ex2.traits.plan.value, 'pro');
});

test('downgrading to none removes the stored record at once and keeps nothing in memory', async () => {
  const { engine, storage } = await open({ catalog, config });
  await fillProfile(engine, storage);
  await engine.serverPayload();
  await engine.setPrivacyLevel('none');
  assert.equal(storage.peek('default'), null);
  assert.deepEqual(storage.keys(), []);
  const ex = await engine.export();
  assert.equal(ex.level, 'none');
  assert.deepEqual(ex.history, []);
  assert.deepEqual(ex.dismissed, []);
  assert.deepEqual(ex.traits, {});
  assert.deepEqual(ex.activeDays, []);
  assert.deepEqual(ex.blocked, { tags: [], items: [] });
  assert.deepEqual(ex.serverLabel.answers, []);
  assert.deepEqual(engine.inventory(), []);
  assert.equal(engine.serverPayload(), null);
  assert.equal(engine.metrics().total.clicks, 0);
  assert.equal(engine.segment(), 'general');
});

test('level none writes nothing at all: after the transition no save or remove reaches storage', async () => {
  const rec = recordingStorage();
  const clock = makeClock();
  const engine = await createEngine({ catalog, config, storage: rec, now: clock.now });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.flush();
  assert.ok(rec.writes().some((c) => c.op === 'save'), 'set-up: the behavioral profile was saved');

  const mark = rec.calls.length;
  await engine.setPrivacyLevel('none');
  assert.deepEqual(rec.calls.slice(mark).map((c) => c.op), ['remove'], 'the transition removes the record, once');
  assert.equal(rec.peek('default'), null);

  const after = rec.calls.length;
  await engine.setTraits({ plan: 'team' });
  for (const type of ['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression']) {
    await engine.track({ item: itemId(2), type });
  }
  await engine.block({ item: itemId(7) });
  await engine.unblock({ item: itemId(7) });
  engine.recommend({ k: 5 });
  engine.explain(itemId(3));
  engine.segment();
  engine.serverPayload();
  engine.inventory();
  engine.metrics();
  engine.privacyReport();
  await engine.export();
  await engine.flush();
  clock.days(40); /* expiry has nothing to delete, and must not write either */
  engine.recommend({ k: 5 });
  await engine.flush();
  engine.close();
  await engine.flush();
  assert.deepEqual(rec.calls.slice(after), [], 'storage was touched at level none');
});

test('a profile that starts at none (config.privacyLevel) is read but never written', async () => {
  const rec = recordingStorage();
  const engine = await createEngine({ catalog, config: { ...config, privacyLevel: 'none' }, storage: rec, now: makeClock().now });
  assert.equal(engine.level, 'none');
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.track({ item: itemId(2), type: 'impression' });
  engine.recommend();
  engine.serverPayload();
  await engine.flush();
  engine.close();
  await engine.flush();
  assert.deepEqual(rec.writes(), []);
  assert.equal(rec.peek('default'), null);
});

test('raising the level never invents past data', async () => {
  const clock = makeClock();
  const { engine } = await open({ catalog, config: { ...config, privacyLevel: 'segment' }, clock });
  for (let i = 0; i < 5; i++) await engine.track({ item: itemId(i), type: 'click' });
  await engine.track({ item: itemId(6), type: 'dismiss' });
  await engine.setPrivacyLevel('behavioral');
  const ex = await engine.export();
  assert.deepEqual(ex.history, [], 'interactions seen at segment were not kept, so none can appear');
  assert.deepEqual(ex.dismissed, []);
  /* ranking is what a fresh behavioral profile gets */
  const fresh = await open({ catalog, config, clock });
  assert.deepEqual(engine.recommend({ k: 10 }).map((r) => r.id), fresh.engine.recommend({ k: 10 }).map((r) => r.id));
  assert.equal(engine.explain(itemId(1)).excluded, null, 'an item clicked at segment is not "seen"');

  /* down and up again: what was deleted stays deleted */
  await engine.track({ item: itemId(8), type: 'click' });
  await engine.setPrivacyLevel('segment');
  await engine.setPrivacyLevel('individual');
  assert.deepEqual((await engine.export()).history, []);

  /* from none: nothing at all comes back */
  await engine.setTraits({ plan: 'pro' });
  await engine.setPrivacyLevel('none');
  await engine.setTraits({ plan: 'team' });
  await engine.track({ item: itemId(9), type: 'click' });
  await engine.setPrivacyLevel('behavioral');
  const ex2 = await engine.export();
  assert.deepEqual(ex2.traits, {});
  assert.deepEqual(ex2.history, []);
  assert.deepEqual(ex2.activeDays, []);
  assert.equal(engine.metrics().total.clicks, 0);
});

test('a level above config.maxPrivacyLevel is refused with level_not_allowed and changes nothing', async () => {
  const { engine, storage } = await open({ catalog, config: { ...config, maxPrivacyLevel: 'behavioral' } });
  await fillProfile(engine, storage);
  for (const level of ['contextual', 'individual']) {
    const err = await expectRejectedUnchanged(engine, storage, () => engine.setPrivacyLevel(level), 'level_not_allowed');
    assert.match(err.message, new RegExp(level));
    assert.equal(engine.level, 'behavioral');
  }
  await expectCode(() => open({ catalog, config: { privacyLevel: 'individual', maxPrivacyLevel: 'segment' } }),
    'bad_config', 'privacyLevel');
});

test('the chosen level persists across reopen and wins over the site default', async () => {
  for (const level of ['segment', 'behavioral', 'contextual', 'individual']) {
    const ctx = await open({ catalog, config });
    await ctx.engine.setPrivacyLevel(level);
    const again = await reopen(ctx, { config: { ...config, privacyLevel: level === 'segment' ? 'behavioral' : 'segment' } });
    assert.equal(again.engine.level, level);
    assert.equal((await again.engine.export()).levelChosen, true);
  }
});

test('a profile without a chosen level follows the site default; a lower maximum caps a stored choice', async () => {
  const ctx = await open({ catalog, config });
  await ctx.engine.track({ item: itemId(1), type: 'click' });
  const followed = await reopen(ctx, { config: { ...config, privacyLevel: 'segment' } });
  assert.equal(followed.engine.level, 'segment');
  assert.deepEqual((await followed.engine.export()).history, []);
  assert.equal(bytesContain(followed.storage.peek('default'), itemId(1)), false, 'purged history is still stored');

  const chosen = await open({ catalog, config });
  await chosen.engine.setPrivacyLevel('individual');
  await chosen.engine.track({ item: itemId(2), type: 'click' });
  const capped = await reopen(chosen, { config: { ...config, privacyLevel: 'segment', maxPrivacyLevel: 'segment' } });
  assert.equal(capped.engine.level, 'segment');
  assert.deepEqual((await capped.engine.export()).history, []);
  assert.equal(bytesContain(capped.storage.peek('default'), itemId(2)), false, 'history above the cap is still stored');
});

test('config.privacyLevel is the level of a new profile, and of a forgotten one', async () => {
  for (const level of LEVELS) {
    const { engine } = await open({ catalog, config: { ...config, privacyLevel: level } });
    assert.equal(engine.level, level);
    assert.equal((await engine.export()).levelChosen, false);
    const other = LEVELS.find((l) => l !== level);
    await engine.setPrivacyLevel(other);
    await engine.forget();
    assert.equal(engine.level, level);
  }
  const { engine } = await open({ catalog });
  assert.equal(engine.level, 'behavioral', 'the documented default');
});

test('setPrivacyLevel reports the change and validates its argument', async () => {
  const { engine, storage } = await open({ catalog, config });
  const events = [];
  engine.on('change', (e) => events.push(e));
  await engine.setPrivacyLevel('segment');
  assert.deepEqual(events.at(-1), { reason: 'level', level: 'segment' });
  for (const bad of [undefined, null, '', 'SEGMENT', 'max', 2, NaN, {}, ['segment']]) {
    await expectRejectedUnchanged(engine, storage, () => engine.setPrivacyLevel(bad), 'bad_argument');
  }
  assert.equal(engine.level, 'segment');
  const report = engine.privacyReport();
  assert.equal(report.level, 'segment');
  assert.equal(report.storedByLevel.find((l) => l.current).level, 'segment');
});

test('setting the level it already has deletes nothing', async () => {
  const { engine, storage } = await open({ catalog, config });
  await fillProfile(engine, storage);
  const before = await exportBody(engine);
  await engine.setPrivacyLevel('behavioral');
  const after = await exportBody(engine);
  assert.deepEqual(after.history, before.history);
  assert.deepEqual(after.dismissed, before.dismissed);
  assert.deepEqual(after.traits, before.traits);
});

test('two profiles on one storage keep their own levels', async () => {
  const storage = new MemoryStorage();
  const a = await open({ catalog, config, storage, profileId: 'a' });
  const b = await open({ catalog, config, storage, profileId: 'b' });
  await a.engine.track({ item: itemId(1), type: 'click' });
  await b.engine.track({ item: itemId(2), type: 'click' });
  await a.engine.setPrivacyLevel('none');
  await b.engine.flush();
  assert.equal(storage.peek('a'), null);
  assert.ok(bytesContain(storage.peek('b'), itemId(2)));
  assert.equal(b.engine.level, 'behavioral');
});

test('a downgrade, none or forget with a save still pending never lets the deleted data reach storage', async () => {
  for (const action of ['segment', 'none', 'forget']) {
    const rec = recordingStorage();
    const engine = await createEngine({ catalog, config, storage: rec, now: makeClock().now, saveDelayMs: 60_000 });
    await engine.track({ item: itemId(1), type: 'click' });
    await engine.flush();
    await engine.track({ item: itemId(2), type: 'click' }); /* its save is still debounced */
    if (action === 'forget') await engine.forget();
    else await engine.setPrivacyLevel(action);
    await engine.flush();
    engine.close();
    await engine.flush();
    const bytes = rec.peek('default');
    assert.equal(bytesContain(bytes, itemId(1)), false, `${action}: deleted history is stored`);
    assert.equal(bytesContain(bytes, itemId(2)), false, `${action}: the pending interaction reached storage`);
    if (action !== 'segment') assert.equal(bytes, null, action);
  }
});
