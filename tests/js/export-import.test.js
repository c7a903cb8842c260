import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXPORT_VERSION,   open, reopen, makeCatalog, itemId, storedBytes, bytesContain, exportBody,
  expectCode, expectRejectedUnchanged, T0,
} from './helpers.js';

const catalog = makeCatalog({ n: 40, seed: 21 });
const config = {
  traits: { plan: ['free', 'pro', 'team'], industry: ['finance', 'retail'] },
  segments: [{ label: 'pros', when: { plan: ['pro', 'team'] } }],
  label: { randomRate: 0.5 },
};

/** A profile with something in every part of the export. */
async function richProfile(opts = {}) {
  const ctx = await open({ catalog, config, ...opts });
  const { engine, clock } = ctx;
  await engine.setPrivacyLevel('behavioral');
  await engine.setTraits({ plan: 'pro', industry: 'retail' });
  const list = engine.recommend({ k: 5 });
  for (const r of list) await engine.track({ item: r.id, type: 'impression' });
  await engine.track({ item: list[2].id, type: 'click' });
  for (let i = 0; i < 8; i++) {
    clock.advance(3_600_000);
    await engine.track({ item: itemId(10 + i), type: ['view', 'like', 'share', 'purchase'][i % 4], value: 1 + i });
  }
  await engine.track({ item: itemId(30), type: 'dismiss' });
  await engine.block({ tag: 'mobile' });
  await engine.block({ item: itemId(31) });
  engine.serverPayload();
  clock.advance(1000);
  return ctx;
}

test('export -> forget -> import round-trips the whole profile', async () => {
  const ctx = await richProfile();
  const { engine, storage } = ctx;
  const exported = await engine.export();
  assert.equal(exported.format, 'attune-profile');
  assert.equal(exported.version, EXPORT_VERSION);
  assert.equal(typeof exported.exportedAt, 'string');
  assert.ok(exported.history.length >= 9 && exported.dismissed.length === 1 && exported.blocked.tags.length === 1);
  const before = await exportBody(engine);
  const ranking = engine.recommend({ k: 10 });

  await engine.forget();
  assert.equal(storage.peek('default'), null, 'forget deletes the stored copy before it resolves');
  const empty = await exportBody(engine);
  assert.deepEqual(empty.history, []);
  assert.deepEqual(empty.traits, {});
  assert.deepEqual(empty.blocked, { tags: [], items: [] });

  await engine.import(exported);
  assert.deepEqual(await exportBody(engine), before);
  assert.ok(bytesContain(storage.peek('default'), itemId(10)), 'import is saved before it resolves');
  const rankingAfter = engine.recommend({ k: 10 });

  const again = await reopen(ctx);
  assert.deepEqual(await exportBody(again.engine), before, 'the imported profile survives a reload');
  assert.deepEqual(rankingAfter, ranking, 'the same profile ranks the same');
});

test('an export moves a profile to another device (engine and storage)', async () => {
  const { engine } = await richProfile();
  const data = JSON.parse(JSON.stringify(await engine.export()));
  const other = await open({ catalog, config });
  await other.engine.import(data);
  assert.deepEqual(await exportBody(other.engine), await exportBody(engine));
});

test('import accepts the JSON text, and its UTF-8 bytes', async () => {
  const { engine } = await richProfile();
  const text = JSON.stringify(await engine.export());
  const body = await exportBody(engine);
  for (const data of [text, `  ${text}\n`, new TextEncoder().encode(text)]) {
    const other = await open({ catalog, config });
    await other.engine.import(data);
    assert.deepEqual(await exportBody(other.engine), body);
  }
});

test('import refuses damaged data with corrupt_profile and leaves the profile unchanged', async () => {
  const { engine, storage } = await richProfile();
  const good = await engine.export();
  const variants = {
    'wrong format': { ...good, format: 'something-else' },
    'no format': (({ format, ...r }) => r)(good),
    'unknown key': { ...good, extra: 1 },
    'unknown level': { ...good, level: 'maximum' },
    'history is not an array': { ...good, history: {} },
    'an event with an unknown type': { ...good, history: [{ ...good.history[0], type: 'teleport' }] },
    'an event with a bad time': { ...good, history: [{ ...good.history[0], at: 'yesterday' }] },
    'an event with a negative id': { ...good, history: [{ ...good.history[0], id: -1 }] },
    'an event with a fractional id': { ...good, history: [{ ...good.history[0], id: 1.5 }] },
    'an event value out of range': { ...good, history: [{ ...good.history[0], value: 1000 }] },
    'the same event twice': { ...good, history: [good.history[0], good.history[0]] },
    'an event with an unknown key': { ...good, history: [{ ...good.history[0], secret: 'x' }] },
    'a dismissal without a time': { ...good, dismissed: [{ item: itemId(1) }] },
    'the same block twice': { ...good, blocked: { tags: [good.blocked.tags[0], good.blocked.tags[0]], items: [] } },
    'negative counts': { ...good, metrics: { ...good.metrics, clicks: { ...good.metrics.clicks, behavioral: good.metrics.clicks.behavioral.map(() => -1) } } },
    'an invalid date': { ...good, exportedAt: '2026-02-30T00:00:00.000Z' },
    'too many active days': { ...good, activeDays: Array.from({ length: 31 }, (_, i) => new Date(T0 - i * 86_400_000).toISOString().slice(0, 10)).reverse() },
    'active days out of order': { ...good, activeDays: ['2026-01-05', '2026-01-04'] },
  };
  for (const [what, data] of Object.entries(variants)) {
    const err = await expectRejectedUnchanged(engine, storage, () => engine.import(data), 'corrupt_profile');
    assert.ok(err.message.length > 10, what);
    await expectRejectedUnchanged(engine, storage, () => engine.import(JSON.stringify(data)), 'corrupt_profile');
  }
  await expectRejectedUnchanged(engine, storage, () => engine.import('{"format": "attune-profile", "version": 1'), 'bad_json');
  await expectRejectedUnchanged(engine, storage, () => engine.import(''), 'bad_json');
  await expectRejectedUnchanged(engine, storage, () => engine.import('{}'), 'corrupt_profile');
});

test('import refuses data from a newer version with newer_version and leaves the profile unchanged', async () => {
  const { engine, storage } = await richProfile();
  const good = await engine.export();
  const err = await expectRejectedUnchanged(engine, storage, () => engine.import({ ...good, version: EXPORT_VERSION + 1 }), 'newer_version');
  assert.match(err.message, new RegExp(String(EXPORT_VERSION + 1)));
  await expectRejectedUnchanged(engine, storage, () => engine.import(JSON.stringify({ ...good, version: 99 })), 'newer_version');
  /* a newer version is refused even when it has fields this version does not know */
  await expectRejectedUnchanged(engine, storage, () => engine.import({ ...good, version: EXPORT_VERSION + 1, future: { weights: [1, 2] } }), 'newer_version');
});

test('an imported profile is fitted to this site: undeclared traits dropped, level capped, window trimmed', async () => {
  const { engine } = await richProfile();
  await engine.setPrivacyLevel('individual');
  const data = await engine.export();
  const other = await open({
    catalog,
    config: { traits: { plan: config.traits.plan }, maxPrivacyLevel: 'behavioral', history: { size: 3 } },
  });
  await other.engine.import(data);
  const ex = await other.engine.export();
  assert.deepEqual(Object.keys(ex.traits), ['plan']);
  assert.equal(ex.level, 'behavioral');
  assert.equal(other.engine.level, 'behavioral');
  assert.deepEqual(ex.history, data.history.slice(-3));
});

test('forget deletes everything, in memory and in storage, before it resolves', async () => {
  const ctx = await richProfile();
  const { engine, storage } = ctx;
  await engine.flush();
  const events = [];
  engine.on('change', (e) => events.push(e.reason));
  await engine.forget();
  assert.equal(storage.peek('default'), null);
  assert.deepEqual(storage.keys(), []);
  assert.deepEqual(events, ['forget']);
  const ex = await engine.export();
  assert.deepEqual(ex.history, []);
  assert.deepEqual(ex.dismissed, []);
  assert.deepEqual(ex.traits, {});
  assert.deepEqual(ex.activeDays, []);
  assert.equal(ex.metrics.since, null);
  assert.deepEqual(ex.serverLabel.answers, []);
  assert.equal(ex.serverLabel.disclosures, 0);
  assert.equal(ex.levelChosen, false);
  assert.equal(engine.metrics().total.impressions, 0);
  const again = await reopen(ctx);
  assert.deepEqual((await again.engine.export()).history, []);
});

test('the stored profile after import is what export shows (nothing more)', async () => {
  const { engine } = await richProfile();
  const data = await engine.export();
  data.history = data.history.slice(0, 2);
  data.dismissed = [];
  data.blocked = { tags: [], items: [] };
  const other = await open({ catalog, config });
  await other.engine.import(data);
  const bytes = await storedBytes(other.engine, other.storage);
  for (const h of (await engine.export()).history.slice(2)) {
    assert.equal(bytesContain(bytes, h.item), false, `${h.item} was not imported but is stored`);
  }
});

test('import validates its argument type', async () => {
  const { engine, storage } = await richProfile();
  for (const bad of [undefined, null, 5, true, [], [good()]]) {
    await expectRejectedUnchanged(engine, storage, () => engine.import(bad), 'bad_argument');
  }
  function good() {
    return { format: 'attune-profile', version: 1 };
  }
  await expectCode(() => engine.import(good()), 'corrupt_profile');
});
