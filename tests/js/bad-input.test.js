/**
 * Every public method against hostile and mistaken input: each call either fails with an
 * AttuneError whose code is asserted, or gives a correct result; a rejected call leaves the
 * profile and its stored bytes exactly as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, makeCatalog, makeClock, itemId, storedBytes, exportBody, recordingStorage, deepObject, deepJSON,
  expectCode, expectRejectedUnchanged, createEngine, DAY,
} from './helpers.js';

const catalog = makeCatalog({ n: 30, seed: 2 });
const config = { traits: { plan: ['free', 'pro'] }, segments: [{ label: 'pros', when: { plan: ['pro'] } }] };
const MB = 'x'.repeat(1 << 20);
const TEN_MB = 'x'.repeat(10 << 20);
const DEEP = deepObject(10_000);
const DEEP_TEXT = deepJSON(10_000);
const own = (text) => JSON.parse(text); /* makes __proto__ / constructor own properties */
const PROTO_BEFORE = Object.getOwnPropertyNames(Object.prototype).sort();

/** An engine with a profile worth protecting. */
async function subject() {
  const ctx = await open({ catalog, config });
  const { engine } = ctx;
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.track({ item: itemId(2), type: 'dismiss' });
  await engine.block({ tag: 'ai' });
  engine.serverPayload();
  await engine.flush();
  return ctx;
}

async function runCases(ctx, cases) {
  for (const [label, fn, code] of cases) {
    try {
      await expectRejectedUnchanged(ctx.engine, ctx.storage, fn, code);
    } catch (err) {
      err.message = `${label}: ${err.message}`;
      throw err;
    }
  }
}

test('setTraits rejects wrong types, unknown keys, huge and deeply nested input', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['undefined', () => e.setTraits(undefined), 'bad_argument'],
    ['null', () => e.setTraits(null), 'bad_argument'],
    ['a string', () => e.setTraits('plan'), 'bad_argument'],
    ['a number', () => e.setTraits(5), 'bad_argument'],
    ['NaN', () => e.setTraits(NaN), 'bad_argument'],
    ['an array', () => e.setTraits([['plan', 'free']]), 'bad_argument'],
    ['10,000 levels deep', () => e.setTraits(DEEP), 'bad_argument'],
    ['a deep value', () => e.setTraits({ plan: DEEP }), 'bad_argument'],
    ['a 1 MB value', () => e.setTraits({ plan: MB }), 'bad_trait'],
    ['a 1 MB key', () => e.setTraits({ [MB]: 'free' }), 'bad_trait'],
    ['__proto__ key', () => e.setTraits(own('{"__proto__": "free"}')), 'bad_trait'],
    ['constructor key', () => e.setTraits(own('{"constructor": "free"}')), 'bad_trait'],
    ['a number value', () => e.setTraits({ plan: 1 }), 'bad_trait'],
    ['a BigInt value', () => e.setTraits({ plan: 1n }), 'bad_argument'],
  ]);
});

test('setTraits refuses a Map, a Set or a Date instead of silently doing nothing', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['a Map', () => e.setTraits(new Map([['plan', 'free']])), 'bad_argument'],
    ['a Set', () => e.setTraits(new Set(['free'])), 'bad_argument'],
    ['a Date', () => e.setTraits(new Date()), 'bad_argument'],
  ]);
});

test('on() refuses inherited property names as event names', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['on __proto__', () => e.on('__proto__', () => {}), 'bad_argument'],
    ['on toString', () => e.on('toString', () => {}), 'bad_argument'],
    ['on constructor', () => e.on('constructor', () => {}), 'bad_argument'],
    ['on hasOwnProperty', () => e.on('hasOwnProperty', () => {}), 'bad_argument'],
  ]);
});

test('track rejects bad events, unknown items, bad times, values and contexts', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  const ev = (patch) => ({ item: itemId(3), type: 'click', ...patch });
  const now = ctx.clock.t;
  await runCases(ctx, [
    ['undefined', () => e.track(undefined), 'bad_argument'],
    ['null', () => e.track(null), 'bad_argument'],
    ['an id string', () => e.track(itemId(3)), 'bad_argument'],
    ['an array', () => e.track([itemId(3), 'click']), 'bad_argument'],
    ['empty object', () => e.track({}), 'bad_argument'],
    ['no type', () => e.track({ item: itemId(3) }), 'bad_argument'],
    ['no item', () => e.track({ type: 'click' }), 'bad_argument'],
    ['item a number', () => e.track(ev({ item: 3 })), 'bad_argument'],
    ['type in capitals', () => e.track(ev({ type: 'CLICK' })), 'bad_argument'],
    ['unknown type', () => e.track(ev({ type: 'hover' })), 'bad_argument'],
    ['type toString trick', () => e.track(ev({ type: { toString: () => 'click' } })), 'bad_argument'],
    ['unknown item', () => e.track(ev({ item: 'no-such-item' })), 'unknown_item'],
    ['empty item', () => e.track(ev({ item: '' })), 'bad_argument'],
    ['1 MB item', () => e.track(ev({ item: MB })), 'bad_argument'],
    ['item with a NUL', () => e.track(ev({ item: `${itemId(3)}\u0000` })), 'bad_argument'],
    ['item with a newline', () => e.track(ev({ item: `${itemId(3)}\n` })), 'bad_argument'],
    ['at NaN', () => e.track(ev({ at: NaN })), 'bad_argument'],
    ['at Infinity', () => e.track(ev({ at: Infinity })), 'bad_argument'],
    ['at negative', () => e.track(ev({ at: -1 })), 'bad_argument'],
    ['at huge', () => e.track(ev({ at: 1e300 })), 'bad_argument'],
    ['at text', () => e.track(ev({ at: '2026-01-05' })), 'bad_argument'],
    ['at an invalid Date', () => e.track(ev({ at: new Date(NaN) })), 'bad_argument'],
    ['at two days ahead', () => e.track(ev({ at: now + 2 * DAY })), 'bad_argument'],
    ['at before the retention', () => e.track(ev({ at: now - 31 * DAY })), 'bad_argument'],
    ['at 0', () => e.track(ev({ at: 0 })), 'bad_argument'],
    ['value NaN', () => e.track(ev({ value: NaN })), 'bad_argument'],
    ['value Infinity', () => e.track(ev({ value: Infinity })), 'bad_argument'],
    ['value negative', () => e.track(ev({ value: -1 })), 'bad_argument'],
    ['value 101', () => e.track(ev({ value: 101 })), 'bad_argument'],
    ['value huge', () => e.track(ev({ value: 1e300 })), 'bad_argument'],
    ['value text', () => e.track(ev({ value: '2' })), 'bad_argument'],
    ['context a number', () => e.track(ev(), 5), 'bad_argument'],
    ['context a string', () => e.track(ev(), 'morning'), 'bad_argument'],
    ['context an array', () => e.track(ev(), ['morning']), 'bad_argument'],
    ['context 10,000 levels deep', () => e.track(ev(), DEEP), 'bad_argument'],
    ['context with an undeclared key', () => e.track(ev(), { mood: 'happy' }), 'bad_argument'],
    ['context with a 1 MB key', () => e.track(ev(), { [MB]: 1 }), 'bad_argument'],
    ['context with __proto__', () => e.track(ev(), own('{"__proto__": {"daypart": "morning"}}')), 'bad_argument'],
  ]);
});

test('recommend rejects bad options: k, exclude, filter, context and unknown keys', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['a string', () => e.recommend('10'), 'bad_argument'],
    ['a number', () => e.recommend(10), 'bad_argument'],
    ['null', () => e.recommend(null), 'bad_argument'],
    ['an array', () => e.recommend([]), 'bad_argument'],
    ['k negative', () => e.recommend({ k: -1 }), 'bad_argument'],
    ['k NaN', () => e.recommend({ k: NaN }), 'bad_argument'],
    ['k Infinity', () => e.recommend({ k: Infinity }), 'bad_argument'],
    ['k fractional', () => e.recommend({ k: 1.5 }), 'bad_argument'],
    ['k text', () => e.recommend({ k: '3' }), 'bad_argument'],
    ['k null', () => e.recommend({ k: null }), 'bad_argument'],
    ['k 1001', () => e.recommend({ k: 1001 }), 'bad_argument'],
    ['k huge', () => e.recommend({ k: 1e9 }), 'bad_argument'],
    ['exclude a string', () => e.recommend({ exclude: itemId(1) }), 'bad_argument'],
    ['exclude numbers', () => e.recommend({ exclude: [5] }), 'bad_argument'],
    ['exclude a 1 MB id', () => e.recommend({ exclude: [MB] }), 'bad_argument'],
    ['exclude 10,001 ids', () => e.recommend({ exclude: Array(10_001).fill(itemId(1)) }), 'too_large'],
    ['filter a function', () => e.recommend({ filter: () => true }), 'bad_argument'],
    ['filter an array', () => e.recommend({ filter: ['ai'] }), 'bad_argument'],
    ['filter a string', () => e.recommend({ filter: 'ai' }), 'bad_argument'],
    ['filter.tags a string', () => e.recommend({ filter: { tags: 'ai' } }), 'bad_argument'],
    ['filter with an unknown key', () => e.recommend({ filter: { authors: ['x'] } }), 'bad_argument'],
    ['an unknown option', () => e.recommend({ limit: 5 }), 'bad_argument'],
    ['__proto__ option', () => e.recommend(own('{"__proto__": {"k": 1}}')), 'bad_argument'],
    ['constructor option', () => e.recommend(own('{"constructor": 1}')), 'bad_argument'],
    ['10,000 levels deep', () => e.recommend({ filter: DEEP }), 'bad_argument'],
    ['context 10,000 levels deep', () => e.recommend({ context: DEEP }), 'bad_argument'],
  ]);
});

test('recommend checks its context like track and explain do', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await expectCode(() => e.explain(itemId(3), { mood: 'happy' }), 'bad_argument', 'mood');
  await runCases(ctx, [
    ['an undeclared context key', () => e.recommend({ context: { mood: 'happy' } }), 'bad_argument'],
    ['a context string', () => e.recommend({ context: 'morning' }), 'bad_argument'],
    ['a context array', () => e.recommend({ context: ['morning'] }), 'bad_argument'],
  ]);
});

test('shown rejects bad lists, and a list with one bad entry records none of them', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  const cases = (label) => [
    [`${label}undefined`, () => e.shown(undefined), 'bad_argument'],
    [`${label}null`, () => e.shown(null), 'bad_argument'],
    [`${label}an id string`, () => e.shown(itemId(4)), 'bad_argument'],
    [`${label}[1]`, () => e.shown([1]), 'bad_argument'],
    [`${label}[null]`, () => e.shown([itemId(4), null]), 'bad_argument'],
    [`${label}a recommendation without an id`, () => e.shown([{ score: 1 }]), 'bad_argument'],
    [`${label}an unknown id in the middle`, () => e.shown([itemId(4), 'zzz', itemId(5)]), 'unknown_item'],
    [`${label}an unknown id last`, () => e.shown([itemId(4), itemId(5), 'zzz']), 'unknown_item'],
    [`${label}a 10 MB id`, () => e.shown([itemId(4), TEN_MB]), 'bad_argument'],
    [`${label}an empty id`, () => e.shown([itemId(4), '']), 'bad_argument'],
    [`${label}a context with NaN`, () => e.shown([itemId(4)], { hour: NaN }), 'bad_argument'],
    [`${label}an undeclared context key`, () => e.shown([itemId(4)], { mood: 'x' }), 'bad_argument'],
  ];
  await runCases(ctx, cases(''));
  /* at level individual impressions are counted per item and the model learns from them */
  await e.setPrivacyLevel('individual');
  const list = e.recommend({ k: 3 });
  await runCases(ctx, [...cases('individual: '), ['individual: recommendations, then an unknown id', () => e.shown([...list, 'zzz']), 'unknown_item']]);
  const before = e.metrics().total.impressions;
  await e.shown(list);
  assert.equal(e.metrics().total.impressions, before + 3, 'a good list is recorded whole');
});

test('explain rejects bad ids and contexts', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['undefined', () => e.explain(undefined), 'bad_argument'],
    ['null', () => e.explain(null), 'bad_argument'],
    ['a number', () => e.explain(3), 'bad_argument'],
    ['an object', () => e.explain({ id: itemId(3) }), 'bad_argument'],
    ['empty', () => e.explain(''), 'bad_argument'],
    ['unknown', () => e.explain('no-such-item'), 'unknown_item'],
    ['1 MB', () => e.explain(MB), 'bad_argument'],
    ['context a number', () => e.explain(itemId(3), 5), 'bad_argument'],
    ['context an array', () => e.explain(itemId(3), []), 'bad_argument'],
    ['context deep', () => e.explain(itemId(3), DEEP), 'bad_argument'],
    ['context undeclared key', () => e.explain(itemId(3), { mood: 1 }), 'bad_argument'],
  ]);
});

test('block and unblock reject bad targets', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  const cases = [];
  for (const name of ['block', 'unblock']) {
    const f = (t) => () => e[name](t);
    cases.push(
      [`${name} undefined`, f(undefined), 'bad_argument'],
      [`${name} null`, f(null), 'bad_argument'],
      [`${name} a string`, f('ai'), 'bad_argument'],
      [`${name} empty`, f({}), 'bad_argument'],
      [`${name} both`, f({ tag: 'ai', item: itemId(1) }), 'bad_argument'],
      [`${name} unknown key`, f({ author: 'x' }), 'bad_argument'],
      [`${name} tag a number`, f({ tag: 5 }), 'bad_argument'],
      [`${name} tag a list`, f({ tag: ['ai'] }), 'bad_argument'],
      [`${name} empty tag`, f({ tag: '' }), 'bad_argument'],
      [`${name} unknown tag`, f({ tag: 'no-such-tag' }), 'bad_argument'],
      [`${name} unknown item`, f({ item: 'no-such-item' }), 'unknown_item'],
      [`${name} 1 MB tag`, f({ tag: MB }), 'bad_argument'],
      [`${name} 1 MB item`, f({ item: MB }), 'bad_argument'],
      [`${name} __proto__`, f(own('{"__proto__": "ai"}')), 'bad_argument'],
      [`${name} deep`, f(DEEP), 'bad_argument'],
    );
  }
  await runCases(ctx, cases);
});

test('import rejects wrong types, broken, huge and deeply nested input', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['undefined', () => e.import(undefined), 'bad_argument'],
    ['null', () => e.import(null), 'bad_argument'],
    ['a number', () => e.import(5), 'bad_argument'],
    ['an array', () => e.import([]), 'bad_argument'],
    ['deep object', () => e.import(DEEP), 'bad_argument'],
    ['deep text', () => e.import(DEEP_TEXT), 'bad_json'],
    ['deep bytes', () => e.import(new TextEncoder().encode(DEEP_TEXT)), 'bad_json'],
    ['1 MB of x', () => e.import(MB), 'bad_json'],
    ['1 MB string in a field', () => e.import({ format: 'attune-profile', version: 1, level: MB }), 'corrupt_profile'],
    ['__proto__ object', () => e.import(own('{"__proto__": {"format": "attune-profile"}}')), 'corrupt_profile'],
    ['version NaN', () => e.import({ format: 'attune-profile', version: NaN, level: 'behavioral' }), 'corrupt_profile'],
    ['version huge', () => e.import('{"format": "attune-profile", "version": 1e400, "level": "behavioral"}'), 'newer_version'],
  ]);
});

test('setPrivacyLevel and on reject bad arguments without side effects', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['level a number', () => e.setPrivacyLevel(1), 'bad_argument'],
    ['level 1 MB', () => e.setPrivacyLevel(MB), 'bad_argument'],
    ['level __proto__', () => e.setPrivacyLevel('__proto__'), 'bad_argument'],
    ['level toString', () => e.setPrivacyLevel('toString'), 'bad_argument'],
    ['on unknown event', () => e.on('click', () => {}), 'bad_argument'],
    ['on without a function', () => e.on('change', 'fn'), 'bad_argument'],
    ['on undefined', () => e.on(undefined, () => {}), 'bad_argument'],
  ]);
});

test('a broken clock makes calls fail with bad_argument and changes nothing', async () => {
  const ctx = await subject();
  const { engine: e, clock } = ctx;
  const t = clock.t;
  const at = (value, fn) => () => {
    clock.set(value);
    try {
      return fn();
    } finally {
      clock.set(t);
    }
  };
  const calls = [
    () => e.track({ item: itemId(4), type: 'click' }),
    () => e.setTraits({ plan: 'free' }),
    () => e.recommend(),
    () => e.explain(itemId(4)),
    () => e.segment(),
    () => e.serverPayload(),
    () => e.inventory(),
    () => e.setPrivacyLevel('segment'),
    () => e.block({ item: itemId(5) }),
    () => e.export(),
  ];
  const cases = [];
  for (const bad of [NaN, Infinity, -1, 1e20, '2026', undefined]) {
    calls.forEach((c, i) => cases.push([`clock ${String(bad)} call ${i}`, at(bad, c), 'bad_argument']));
  }
  await runCases(ctx, cases);
});

test('a random source returning NaN is refused by serverPayload with bad_argument', async () => {
  const { engine } = await open({ catalog, config, random: () => NaN });
  await expectCode(() => engine.serverPayload(), 'bad_argument');
});

test('hostile input that is still valid gives correct results', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  assert.deepEqual(e.recommend({ k: 0 }), []);
  const eligible = catalog.items.filter((i) => !i.tags.includes('ai') && i.id !== itemId(1) && i.id !== itemId(2));
  assert.deepEqual(e.recommend({ k: 1000 }).map((r) => r.id).sort(), eligible.map((i) => i.id).sort(),
    'every item but the seen, dismissed and blocked ones');
  assert.equal(new Set(e.recommend({ k: 1000 }).map((r) => r.id)).size, e.recommend({ k: 1000 }).length);
  assert.deepEqual(e.recommend({ k: 5, exclude: ['no-such-item', ''] }), e.recommend({ k: 5 }));
  assert.deepEqual(e.recommend(undefined), e.recommend({}));
  assert.equal(e.explain(itemId(3), null).id, itemId(3));
  assert.equal(e.explain(itemId(3), undefined).id, itemId(3));
  const before = await exportBody(e);
  await e.unblock({ item: itemId(9) }); /* not blocked: nothing to do */
  await e.setTraits({});
  await e.setTraits({ plan: undefined }); /* an undefined value is an absent key */
  assert.deepEqual(await exportBody(e), before);
  /* a __proto__ own key in an event is an unknown key: refused, and it pollutes nothing */
  await expectCode(() => e.track(own(`{"item": "${itemId(6)}", "type": "view", "__proto__": {"type": "dismiss"}}`)), 'bad_argument');
  assert.equal((await e.export()).history.filter((x) => x.item === itemId(6)).length, 0);
  assert.equal(({}).type, undefined);
  /* objects without a prototype are fine */
  const traits = Object.create(null);
  traits.plan = 'free';
  await e.setTraits(traits);
  assert.equal((await e.export()).traits.plan.value, 'free');
  /* a Date for at */
  await e.track({ item: itemId(7), type: 'view', at: new Date(ctx.clock.t - 1000) });
  assert.equal((await e.export()).history.find((x) => x.item === itemId(7)).at, new Date(ctx.clock.t - 1000).toISOString());
  /* ids with any printable Unicode work when the catalog has them */
  const uni = await open({ catalog: { version: 1, items: [{ id: 'ünï-😀', tags: ['标签'] }, { id: 'b', tags: ['标签'] }] } });
  await uni.engine.track({ item: 'ünï-😀', type: 'click' });
  await uni.engine.block({ tag: '标签' });
  assert.deepEqual(uni.engine.recommend(), []);
  assert.equal((await uni.engine.export()).history[0].item, 'ünï-😀');
});

test('createEngine rejects bad options with bad_argument and never writes to storage', async () => {
  const seed = await open({ catalog, config });
  await seed.engine.track({ item: itemId(1), type: 'click' });
  const bytes = await storedBytes(seed.engine, seed.storage);
  seed.engine.close();
  const rec = recordingStorage(seed.storage);
  const base = { catalog, config, storage: rec, now: makeClock().now };
  const cases = [
    ['no options', () => createEngine(), 'bad_argument'],
    ['null options', () => createEngine(null), 'bad_argument'],
    ['a string', () => createEngine('catalog.json'), 'bad_argument'],
    ['an array', () => createEngine([base]), 'bad_argument'],
    ['unknown option', () => createEngine({ ...base, catalogue: catalog }), 'bad_argument'],
    ['__proto__ option', () => createEngine({ ...own('{"__proto__": {"profileId": "x"}}'), ...base }), 'bad_argument'],
    ['empty profileId', () => createEngine({ ...base, profileId: '' }), 'bad_argument'],
    ['profileId of 129 characters', () => createEngine({ ...base, profileId: 'p'.repeat(129) }), 'bad_argument'],
    ['1 MB profileId', () => createEngine({ ...base, profileId: MB }), 'bad_argument'],
    ['profileId a number', () => createEngine({ ...base, profileId: 5 }), 'bad_argument'],
    ['empty dbName', () => createEngine({ ...base, dbName: '' }), 'bad_argument'],
    ['now not a function', () => createEngine({ ...base, now: 5 }), 'bad_argument'],
    ['now returning NaN', () => createEngine({ ...base, now: () => NaN }), 'bad_argument'],
    ['now returning text', () => createEngine({ ...base, now: () => '2026' }), 'bad_argument'],
    ['now returning a negative time', () => createEngine({ ...base, now: () => -5 }), 'bad_argument'],
    ['random not a function', () => createEngine({ ...base, random: 0.5 }), 'bad_argument'],
    ['saveDelayMs negative', () => createEngine({ ...base, saveDelayMs: -1 }), 'bad_argument'],
    ['saveDelayMs NaN', () => createEngine({ ...base, saveDelayMs: NaN }), 'bad_argument'],
    ['saveDelayMs huge', () => createEngine({ ...base, saveDelayMs: 1e9 }), 'bad_argument'],
    ['saveDelayMs text', () => createEngine({ ...base, saveDelayMs: '5' }), 'bad_argument'],
    ['persist text', () => createEngine({ ...base, persist: 'yes' }), 'bad_argument'],
    ['wasmIntegrity a number', () => createEngine({ ...base, wasmIntegrity: 384 }), 'bad_argument'],
    ['wasmIntegrity an array', () => createEngine({ ...base, wasmIntegrity: ['sha384-x'] }), 'bad_argument'],
    ['on a function', () => createEngine({ ...base, on: () => {} }), 'bad_argument'],
    ['on with an unknown event', () => createEngine({ ...base, on: { click: () => {} } }), 'bad_argument'],
    ['on.error not a function', () => createEngine({ ...base, on: { error: 'log' } }), 'bad_argument'],
    ['config 10,000 levels deep', () => createEngine({ ...base, config: DEEP }), 'bad_argument'],
    ['config text 10,000 levels deep', () => createEngine({ ...base, config: DEEP_TEXT }), 'bad_json'],
    ['catalog 10,000 levels deep', () => createEngine({ ...base, catalog: DEEP }), 'bad_argument'],
    ['config with a 1 MB key', () => createEngine({ ...base, config: { [MB]: 1 } }), 'bad_config'],
    ['config with __proto__', () => createEngine({ ...base, config: own('{"__proto__": {"privacyLevel": "none"}}') }), 'bad_config'],
    ['config with constructor', () => createEngine({ ...base, config: own('{"constructor": 1}') }), 'bad_config'],
    ['catalog with __proto__ in an item', () => createEngine({ ...base, catalog: { version: 1, items: [own('{"__proto__": {"id": "x"}}')] } }), 'bad_catalog'],
  ];
  for (const [label, fn, code] of cases) {
    await expectCode(fn, code).catch((err) => {
      err.message = `${label}: ${err.message}`;
      throw err;
    });
  }
  assert.deepEqual(rec.writes(), [], 'a refused createEngine wrote to storage');
  assert.deepEqual(seed.storage.peek('default'), bytes);
});

test('10 MB strings are refused with a stable code wherever a string goes, and change nothing', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  await runCases(ctx, [
    ['track item', () => e.track({ item: TEN_MB, type: 'click' }), 'bad_argument'],
    ['track type', () => e.track({ item: itemId(3), type: TEN_MB }), 'bad_argument'],
    ['track context key', () => e.track({ item: itemId(3), type: 'click' }, { [TEN_MB]: 'x' }), 'bad_argument'],
    ['track context value', () => e.track({ item: itemId(3), type: 'click' }, { daypart: TEN_MB }), 'bad_argument'],
    ['explain', () => e.explain(TEN_MB), 'bad_argument'],
    ['recommend exclude', () => e.recommend({ exclude: [TEN_MB] }), 'bad_argument'],
    ['recommend filter tag', () => e.recommend({ filter: { tags: [TEN_MB] } }), 'bad_argument'],
    ['recommend filter category', () => e.recommend({ filter: { categories: [TEN_MB] } }), 'bad_argument'],
    ['recommend option name', () => e.recommend({ [TEN_MB]: 1 }), 'bad_argument'],
    ['block tag', () => e.block({ tag: TEN_MB }), 'bad_argument'],
    ['block item', () => e.block({ item: TEN_MB }), 'bad_argument'],
    ['unblock item', () => e.unblock({ item: TEN_MB }), 'bad_argument'],
    ['trait value', () => e.setTraits({ plan: TEN_MB }), 'bad_trait'],
    ['trait name', () => e.setTraits({ [TEN_MB]: 'free' }), 'bad_trait'],
    ['level', () => e.setPrivacyLevel(TEN_MB), 'bad_argument'],
    ['import text', () => e.import(TEN_MB), 'bad_json'],
    ['import field', () => e.import({ format: 'attune-profile', version: 2, level: TEN_MB }), 'corrupt_profile'],
    ['on', () => e.on(TEN_MB, () => {}), 'bad_argument'],
  ]);
  const base = { catalog, config, storage: recordingStorage(), now: makeClock().now };
  const item = (patch) => ({ version: 1, items: [{ id: 'a', tags: ['t'] }, { id: 'b', ...patch }] });
  for (const [label, fn, code] of [
    ['profileId', () => createEngine({ ...base, profileId: TEN_MB }), 'bad_argument'],
    ['dbName', () => createEngine({ ...base, storage: 'indexeddb', dbName: TEN_MB }), 'bad_argument'],
    ['config key', () => createEngine({ ...base, config: { [TEN_MB]: 1 } }), 'bad_config'],
    ['config value', () => createEngine({ ...base, config: { defaultSegment: TEN_MB } }), 'bad_config'],
    ['config trait value', () => createEngine({ ...base, config: { traits: { plan: [TEN_MB] } } }), 'bad_config'],
    ['config text', () => createEngine({ ...base, config: `{"defaultSegment": "${TEN_MB}"}` }), 'bad_config'],
    ['config text not JSON', () => createEngine({ ...base, config: `{${TEN_MB}` }), 'bad_json'],
    ['catalog text not JSON', () => createEngine({ ...base, catalog: `{${TEN_MB}` }), 'bad_json'],
    ['catalog id', () => createEngine({ ...base, catalog: item({ id: TEN_MB }) }), 'bad_catalog'],
    ['catalog id in text', () => createEngine({ ...base, catalog: JSON.stringify(item({ id: TEN_MB })) }), 'bad_catalog'],
    ['catalog title', () => createEngine({ ...base, catalog: item({ title: TEN_MB }) }), 'bad_catalog'],
    ['catalog tag', () => createEngine({ ...base, catalog: item({ tags: [TEN_MB] }) }), 'bad_catalog'],
    ['catalog category', () => createEngine({ ...base, catalog: JSON.stringify(item({ category: TEN_MB })) }), 'bad_catalog'],
  ]) {
    await expectCode(fn, code).catch((err) => {
      err.message = `createEngine ${label}: ${err.message}`;
      throw err;
    });
  }
  assert.deepEqual(base.storage.writes(), []);
  /* a 10 MB display field is ignored like any other extra field; a 10 MB neighbor id names no
     item, so it is dropped and counted like any unknown neighbor */
  const { engine } = await open({ catalog: item({ description: TEN_MB, neighbors: [[TEN_MB, 1], ['a', 1]] }) });
  assert.deepEqual(engine.recommend().map((r) => r.id).sort(), ['a', 'b']);
  assert.equal(engine.catalogInfo.droppedNeighbors, 1);
});

test('-Infinity is refused wherever NaN and Infinity are', async () => {
  const ctx = await subject();
  const e = ctx.engine;
  const cases = [];
  for (const bad of [NaN, Infinity, -Infinity]) {
    cases.push(
      [`track at ${bad}`, () => e.track({ item: itemId(3), type: 'click', at: bad }), 'bad_argument'],
      [`track value ${bad}`, () => e.track({ item: itemId(3), type: 'click', value: bad }), 'bad_argument'],
      [`track context hour ${bad}`, () => e.track({ item: itemId(3), type: 'click' }, { hour: bad }), 'bad_argument'],
      [`track context weekday ${bad}`, () => e.track({ item: itemId(3), type: 'click' }, { weekday: bad }), 'bad_argument'],
      [`recommend k ${bad}`, () => e.recommend({ k: bad }), 'bad_argument'],
      [`recommend seed ${bad}`, () => e.recommend({ seed: bad }), 'bad_argument'],
      [`recommend context hour ${bad}`, () => e.recommend({ context: { hour: bad } }), 'bad_argument'],
      [`explain context hour ${bad}`, () => e.explain(itemId(3), { hour: bad }), 'bad_argument'],
      [`shown context hour ${bad}`, () => e.shown([itemId(3)], { hour: bad }), 'bad_argument'],
      [`trait ${bad}`, () => e.setTraits({ plan: bad }), 'bad_trait'],
      [`level ${bad}`, () => e.setPrivacyLevel(bad), 'bad_argument'],
      [`block tag ${bad}`, () => e.block({ tag: bad }), 'bad_argument'],
      [`import version ${bad}`, () => e.import({ format: 'attune-profile', version: bad, level: 'behavioral' }), 'corrupt_profile'],
    );
  }
  await runCases(ctx, cases);
  const err = await expectCode(() => e.recommend({ seed: -Infinity }), 'bad_argument', 'seed', '-Infinity');
  assert.ok(!err.message.includes('null'), err.message);
  await expectCode(() => e.setTraits({ plan: -Infinity }), 'bad_trait', 'plan', '-Infinity');
  const base = { catalog, config, now: makeClock().now };
  await expectCode(() => createEngine({ ...base, saveDelayMs: -Infinity }), 'bad_argument');
  await expectCode(() => createEngine({ ...base, now: () => -Infinity }), 'bad_argument');
  await expectCode(() => createEngine({ ...base, config: { history: { halfLifeDays: -Infinity } } }), 'bad_config', 'config.history.halfLifeDays', '-Infinity');
  for (const field of ['popularity', 'publishedAt']) {
    await expectCode(() => createEngine({ ...base, catalog: { version: 1, items: [{ id: 'a', [field]: -Infinity }] } }), 'bad_catalog', 'items[0]', field);
  }
});

test('a catalog of no item and one of a single item: correct results or stable codes, nothing changed by a refusal', async () => {
  const empty = await open({ catalog: { version: 1, items: [] }, config });
  const e0 = empty.engine;
  assert.equal(e0.catalogInfo.items, 0);
  assert.deepEqual(e0.recommend(), []);
  assert.deepEqual(e0.recommend({ k: 0 }), []);
  assert.deepEqual(e0.recommend({ k: 1000, exclude: ['a'], filter: { tags: ['t'] } }), []);
  await e0.setTraits({ plan: 'pro' });
  assert.equal(e0.segment(), 'pros');
  await runCases(empty, [
    ['track', () => e0.track({ item: 'a', type: 'click' }), 'unknown_item'],
    ['shown', () => e0.shown(['a']), 'unknown_item'],
    ['explain', () => e0.explain('a'), 'unknown_item'],
    ['block item', () => e0.block({ item: 'a' }), 'unknown_item'],
    ['block tag', () => e0.block({ tag: 't' }), 'bad_argument'],
  ]);
  await e0.shown([]);
  assert.deepEqual(e0.inventory().find((r) => r.key === 'history')?.count ?? 0, 0);

  const one = await open({ catalog: { version: 1, items: [{ id: 'only', tags: ['t'], category: 'c', popularity: 5 }] }, config });
  const e1 = one.engine;
  assert.deepEqual(e1.recommend({ k: 0 }), []);
  assert.deepEqual(e1.recommend({ k: 5 }).map((r) => r.id), ['only'], 'k above the catalog size gives the whole catalog');
  assert.deepEqual(e1.recommend({ k: 1000 }).map((r) => r.id), ['only']);
  assert.deepEqual(e1.recommend({ exclude: ['only'] }), []);
  assert.deepEqual(e1.recommend({ filter: { tags: ['other'] } }), []);
  assert.equal(e1.explain('only').rank, 1);
  await e1.shown(e1.recommend());
  await e1.track({ item: 'only', type: 'click' });
  assert.deepEqual(e1.recommend(), [], 'the one item was seen');
  await runCases(one, [
    ['track another', () => e1.track({ item: 'other', type: 'click' }), 'unknown_item'],
    ['shown another', () => e1.shown(['only', 'other']), 'unknown_item'],
    ['explain another', () => e1.explain('other'), 'unknown_item'],
    ['block an unknown tag', () => e1.block({ tag: 'other' }), 'bad_argument'],
    ['k -1', () => e1.recommend({ k: -1 }), 'bad_argument'],
  ]);
  await e1.block({ tag: 't' });
  await e1.setPrivacyLevel('segment');
  assert.deepEqual(e1.recommend({ k: 5 }), [], 'blocked content never ranks');
});

test('nothing above pollutes Object.prototype', () => {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_BEFORE);
  for (const key of ['plan', 'k', 'type', 'format', 'profileId', 'privacyLevel', 'daypart', 'id', 'x', 'a']) {
    assert.equal(({})[key], undefined, key);
  }
});
