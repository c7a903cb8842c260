/**
 * The fallback engine (what createEngine gives when attune.wasm cannot run): it refuses
 * exactly the arguments the wasm engine refuses, with the same codes, ranks correctly what it
 * accepts, and deletes a profile stored earlier when asked to forget or to store nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  open, makeCatalog, makeClock, itemId, storedBytes, flakyStorage, nextEvent, macrotask, deepObject, AttuneError,
  MemoryStorage, DAY,
} from './helpers.js';

const MISSING_WASM = new URL('./no-such-attune.wasm', import.meta.url);
const catalog = makeCatalog({ n: 30, seed: 2 });
const config = {
  traits: { plan: ['free', 'pro'] },
  context: { keys: ['campaign'] },
  history: { retentionDays: 10 },
  maxPrivacyLevel: 'contextual',
};
const TEN_MB = 'x'.repeat(10 << 20);
const DEEP = deepObject(10_000);
const own = (text) => JSON.parse(text);

/** A fallback engine (the wasm cannot be found); its start-up error is awaited. */
async function fallback(options = {}) {
  const ctx = await open({ catalog, config, wasm: MISSING_WASM, ...options });
  assert.equal(ctx.engine.degraded, true);
  await macrotask();
  return ctx;
}

/** 'ok', or the code of the AttuneError the call failed with. */
async function outcome(fn) {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return err instanceof AttuneError ? err.code : `${err?.name}: ${err?.message}`;
  }
}

/** Every case as [label, (engine, now) => call]. */
function cases() {
  const ev = (patch) => ({ item: itemId(3), type: 'click', ...patch });
  const list = [];
  const add = (label, fn) => list.push([label, fn]);
  for (const [label, o] of [
    ['undefined', undefined], ['{}', {}], ['null', null], ['a string', '10'], ['an array', []], ['k null', { k: null }],
    ['k NaN', { k: NaN }], ['k Infinity', { k: Infinity }], ['k -Infinity', { k: -Infinity }], ['k -1', { k: -1 }],
    ['k 1.5', { k: 1.5 }], ['k text', { k: '3' }], ['k 1001', { k: 1001 }], ['k 0', { k: 0 }], ['k 1000', { k: 1000 }],
    ['k undefined', { k: undefined }], ['seed NaN', { seed: NaN }], ['seed -Infinity', { seed: -Infinity }],
    ['seed text', { seed: '1' }], ['seed 5', { seed: 5 }], ['exclude a string', { exclude: itemId(1) }],
    ['exclude null', { exclude: null }], ['exclude numbers', { exclude: [5] }], ['exclude a 10 MB id', { exclude: [TEN_MB] }],
    ['exclude 10,001 ids', { exclude: Array(10_001).fill(itemId(1)) }], ['exclude unknown and empty', { exclude: ['nope', ''] }],
    ['filter a function', { filter: () => true }], ['filter null', { filter: null }], ['filter a string', { filter: 'ai' }],
    ['filter an array', { filter: ['ai'] }], ['filter a Map', { filter: new Map() }], ['filter.tags a string', { filter: { tags: 'ai' } }],
    ['filter.tags numbers', { filter: { tags: [5] } }], ['filter.tags a 65-byte tag', { filter: { tags: ['t'.repeat(65)] } }],
    ['filter.categories a string', { filter: { categories: 'tech' } }], ['filter unknown key', { filter: { authors: [] } }],
    ['filter tags and categories', { filter: { tags: ['ai'], categories: ['tech'] } }], ['unknown option', { limit: 5 }],
    ['__proto__ option', own('{"__proto__": {"k": 1}}')], ['context undeclared', { context: { mood: 'x' } }],
    ['context hour NaN', { context: { hour: NaN } }], ['context hour -Infinity', { context: { hour: -Infinity } }],
    ['context hour 24', { context: { hour: 24 } }], ['context hour text', { context: { hour: '5' } }],
    ['context weekday sun', { context: { weekday: 'sun' } }], ['context weekday 7', { context: { weekday: 7 } }],
    ['context weekday true', { context: { weekday: true } }], ['context daypart noon', { context: { daypart: 'noon' } }],
    ['context device', { context: { device: 'tablet' } }], ['context referrer', { context: { referrer: 'tv' } }],
    ['context site key', { context: { campaign: 'spring' } }], ['context site key a number', { context: { campaign: 5 } }],
    ['context site key empty', { context: { campaign: '' } }], ['context site key 10 MB', { context: { campaign: TEN_MB } }],
    ['context a string', { context: 'morning' }], ['context null', { context: null }], ['context deep', { context: DEEP }],
    ['context __proto__', { context: own('{"__proto__": {"daypart": "morning"}}') }],
  ]) add(`recommend ${label}`, (e) => e.recommend(o));
  for (const [label, event, context] of [
    ['undefined', undefined], ['null', null], ['an id', itemId(3)], ['{}', {}], ['no type', { item: itemId(3) }],
    ['no item', { type: 'click' }], ['item a number', ev({ item: 3 })], ['type CLICK', ev({ type: 'CLICK' })],
    ['unknown item', ev({ item: 'no-such-item' })], ['empty item', ev({ item: '' })], ['10 MB item', ev({ item: TEN_MB })],
    ['item with a newline', ev({ item: `${itemId(3)}\n` })], ['unknown key', ev({ extra: 1 })], ['at NaN', ev({ at: NaN })],
    ['at Infinity', ev({ at: Infinity })], ['at -Infinity', ev({ at: -Infinity })], ['at -1', ev({ at: -1 })],
    ['at two days ahead', (now) => ev({ at: now + 2 * DAY })], ['at before the retention', (now) => ev({ at: now - 11 * DAY })],
    ['at a Date', (now) => ev({ at: new Date(now - 1000) })], ['at an invalid Date', ev({ at: new Date(NaN) })],
    ['value NaN', ev({ value: NaN })], ['value -Infinity', ev({ value: -Infinity })], ['value 101', ev({ value: 101 })],
    ['value -1', ev({ value: -1 })], ['value 50', ev({ value: 50 })], ['context undeclared', ev(), { mood: 1 }],
    ['context a number', ev(), 5], ['context hour NaN', ev(), { hour: NaN }], ['a fine event', ev(), { campaign: 'x' }],
    ['unknown item and bad at', ev({ item: 'no-such-item', at: NaN })],
    ['unknown item and bad context', ev({ item: 'no-such-item' }), { mood: 1 }],
    ['unknown item, old at', (now) => ev({ item: 'no-such-item', at: now - 11 * DAY })],
  ]) add(`track ${label}`, (e, now) => e.track(typeof event === 'function' ? event(now) : event, context));
  for (const [label, items, context] of [
    ['null', null], ['a string', itemId(1)], ['[1]', [1]], ['[null]', [null]], ['unknown in the middle', [itemId(1), 'zzz', itemId(2)]],
    ['a 10 MB id', [itemId(1), TEN_MB]], ['an empty id', ['']], ['recommendations', [{ id: itemId(2) }]], ['nothing', []],
    ['bad context', [itemId(1)], { hour: NaN }], ['ids', [itemId(4), itemId(5)]],
  ]) add(`shown ${label}`, (e) => e.shown(items, context));
  for (const [label, id, context] of [
    ['undefined', undefined], ['null', null], ['a number', 3], ['empty', ''], ['10 MB', TEN_MB], ['unknown', 'no-such-item'],
    ['known', itemId(3)], ['context undeclared', itemId(3), { mood: 1 }], ['context an array', itemId(3), []],
    ['unknown, bad context', 'no-such-item', { mood: 1 }],
  ]) add(`explain ${label}`, (e) => e.explain(id, context));
  for (const [label, traits] of [
    ['undefined', undefined], ['null', null], ['a string', 'plan'], ['an array', []], ['a Map', new Map()],
    ['declared', { plan: 'pro' }], ['undeclared value', { plan: 'gold' }], ['a number', { plan: 1 }], ['NaN', { plan: NaN }],
    ['-Infinity', { plan: -Infinity }], ['true', { plan: true }], ['null value', { plan: null }], ['undefined value', { plan: undefined }],
    ['undeclared trait', { country: 'fr' }], ['usage', { usage: 'heavy' }], ['a BigInt', { plan: 1n }], ['a deep value', { plan: DEEP }],
    ['a 10 MB value', { plan: TEN_MB }], ['a 10 MB key', { [TEN_MB]: 'free' }], ['a Date value', { plan: new Date() }],
    ['a list value', { plan: ['pro'] }], ['__proto__', own('{"__proto__": "free"}')], ['constructor', own('{"constructor": "free"}')],
  ]) add(`setTraits ${label}`, (e) => e.setTraits(traits));
  for (const name of ['block', 'unblock']) {
    for (const [label, target] of [
      ['undefined', undefined], ['null', null], ['a string', 'ai'], ['{}', {}], ['both', { tag: 'ai', item: itemId(1) }],
      ['tag a number', { tag: 5 }], ['empty tag', { tag: '' }], ['unknown tag', { tag: 'no-such-tag' }], ['10 MB tag', { tag: TEN_MB }],
      ['unknown item', { item: 'no-such-item' }], ['10 MB item', { item: TEN_MB }], ['a tag', { tag: 'ai' }], ['an item', { item: itemId(2) }],
    ]) add(`${name} ${label}`, (e) => e[name](target));
  }
  for (const [label, data] of [['undefined', undefined], ['null', null], ['a number', 5], ['an array', []]]) {
    add(`import ${label}`, (e) => e.import(data));
  }
  for (const [label, level] of [
    ['a number', 1], ['unknown', 'max'], ['__proto__', '__proto__'], ['10 MB', TEN_MB], ['above the maximum', 'individual'],
    ['allowed', 'segment'], ['none', 'none'],
  ]) add(`setPrivacyLevel ${label}`, (e) => e.setPrivacyLevel(level));
  return list;
}

test('the fallback refuses exactly what the wasm engine refuses, with the same codes', async () => {
  const clock = makeClock();
  const real = (await open({ catalog, config, clock })).engine;
  const degraded = (await fallback({ clock })).engine;
  const differ = [];
  for (const [label, call] of cases()) {
    const want = await outcome(() => call(real, clock.t));
    const got = await outcome(() => call(degraded, clock.t));
    if (got !== want) differ.push(`${label}: the engine gives ${want}, the fallback ${got}`);
  }
  assert.deepEqual(differ, []);
});

test('the fallback ranks what it accepts: filters, exclusions and k as the engine means them', async () => {
  const { engine } = await fallback();
  const byPopularity = [...catalog.items].sort((a, b) => b.popularity - a.popularity).map((i) => i.id);
  assert.deepEqual(engine.recommend({ k: 5 }).map((r) => r.id), byPopularity.slice(0, 5));
  assert.deepEqual(engine.recommend({ k: 0 }), []);
  assert.equal(engine.recommend({ k: 1000 }).length, catalog.items.length);
  const ai = engine.recommend({ k: 1000, filter: { tags: ['ai'] } }).map((r) => r.id);
  assert.deepEqual(ai, byPopularity.filter((id) => catalog.items.find((i) => i.id === id).tags.includes('ai')));
  assert.deepEqual(engine.recommend({ filter: { tags: ['a'] } }), [], 'a tag matches whole, not as a substring');
  assert.deepEqual(engine.recommend({ k: 3, exclude: [byPopularity[0]] }).map((r) => r.id), byPopularity.slice(1, 4));
  assert.equal(engine.explain(byPopularity[0]).rank, 1);
});

test('the fallback deletes a profile stored earlier on forget() and setPrivacyLevel("none")', async () => {
  for (const erase of [(e) => e.forget(), (e) => e.setPrivacyLevel('none')]) {
    const first = await open({ catalog, config });
    await first.engine.track({ item: itemId(1), type: 'click' });
    assert.ok(await storedBytes(first.engine, first.storage), 'the working engine stored a profile');
    first.engine.close();
    const { engine, storage } = await fallback({ storage: first.storage });
    const changes = [];
    engine.on('change', (c) => changes.push(c));
    await erase(engine);
    assert.equal(storage.peek('default'), null, 'the stored profile is gone once the call resolves');
    assert.deepEqual(changes.map((c) => c.level), ['none']);
  }
});

test('a fallback that cannot delete the stored profile says so through an error event; flush waits for it', async () => {
  const storage = flakyStorage(new MemoryStorage());
  const first = await open({ catalog, config, storage });
  await first.engine.track({ item: itemId(1), type: 'click' });
  await first.engine.flush();
  first.engine.close();
  const { engine } = await fallback({ storage });
  storage.failing.remove = true;
  const error = nextEvent(engine, 'error');
  const forgotten = engine.forget();
  await engine.flush();
  const err = await Promise.race([error, macrotask().then(() => null)]); /* reported by the time flush resolves */
  assert.ok(err instanceof AttuneError, 'an error event');
  assert.equal(err.code, 'storage_failed');
  await forgotten;
  assert.ok(storage.peek('default'), 'still stored: the failure was reported, not hidden');
  storage.failing.remove = false;
  await engine.setPrivacyLevel('none');
  assert.equal(storage.peek('default'), null);
});
