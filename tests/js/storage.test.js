import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SNAPSHOT_VERSION, asVersion1,   open, reopen, makeCatalog, makeClock, itemId, storedBytes, bytesContain, exportBody, flakyStorage,
  expectCode, nextEvent, macrotask, crc32, snapshotHeader, withFreshChecksum, withVersion,
  createEngine, MemoryStorage, AttuneError,
} from './helpers.js';

const catalog = makeCatalog({ n: 30, seed: 17 });
const config = { traits: { plan: ['free', 'pro'] } };

/** Valid snapshot bytes of a small profile (made by a real engine). */
async function validSnapshot() {
  const { engine, storage } = await open({ catalog, config });
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.track({ item: itemId(2), type: 'like' });
  const bytes = await storedBytes(engine, storage);
  engine.close();
  return bytes;
}

/** Opens an engine on a storage holding `bytes`; collects errors from on.error and engine.on. */
async function openOn(bytes, storage = new MemoryStorage()) {
  if (bytes) await storage.save('default', bytes);
  const early = [];
  const engine = await createEngine({ catalog, config, storage, now: makeClock().now, on: { error: (e) => early.push(e) } });
  const late = nextEvent(engine, 'error');
  return { engine, storage, early, late };
}

test('saved snapshots have the documented header: ATTN, version, flags, payload length, CRC-32', async () => {
  const bytes = await validSnapshot();
  const h = snapshotHeader(bytes);
  assert.equal(h.magic, 'ATTN');
  assert.equal(h.version, SNAPSHOT_VERSION);
  assert.equal(h.flags, 0);
  assert.equal(h.length, bytes.length - 16);
  assert.equal(h.crc, crc32(bytes.subarray(16)));
});

test('a corrupt stored snapshot is quarantined, the engine starts fresh and reports corrupt_profile', async () => {
  const good = await validSnapshot();
  const bad = Uint8Array.from(good);
  bad[bad.length - 3] ^= 0xff; /* the checksum no longer matches */
  const { engine, storage, early, late } = await openOn(bad);
  const err = await late;
  assert.ok(err instanceof AttuneError);
  assert.equal(err.code, 'corrupt_profile');
  assert.deepEqual(early.map((e) => e.code), ['corrupt_profile'], 'the on.error option got it too');
  assert.deepEqual(storage.peekQuarantine('default'), bad, 'the damaged bytes are kept aside as they were');
  assert.equal(storage.peek('default'), null);
  const ex = await exportBody(engine);
  assert.deepEqual(ex.history, []);
  assert.deepEqual(ex.traits, {});

  /* the engine works and stores a fresh, valid profile */
  await engine.track({ item: itemId(5), type: 'click' });
  const fresh = await storedBytes(engine, storage);
  assert.ok(bytesContain(fresh, itemId(5)));
  assert.deepEqual(storage.peekQuarantine('default'), bad);
  engine.close();
  const again = await openOn(null, storage);
  await macrotask();
  assert.deepEqual(again.early, [], 'the fresh profile loads without errors');
  assert.deepEqual((await again.engine.export()).history.map((h) => h.item), [itemId(5)]);
});

test('every kind of damage is detected and quarantined: truncation, magic, length, checksum, contents', async () => {
  const good = await validSnapshot();
  const dv = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const variants = {
    empty: new Uint8Array(0),
    'header only': good.slice(0, 16),
    truncated: good.slice(0, good.length - 1),
    'one byte more': Uint8Array.from([...good, 0]),
    'bad magic': (() => { const b = Uint8Array.from(good); b[0] = 0x58; return b; })(),
    'length field wrong': (() => { const b = Uint8Array.from(good); dv(b).setUint32(8, good.length, true); return b; })(),
    'checksum field wrong': (() => { const b = Uint8Array.from(good); dv(b).setUint32(12, 12345, true); return b; })(),
    'version 0': withVersion(good, 0),
    'invalid level, valid checksum': (() => { const b = Uint8Array.from(good); b[21] = 9; return withFreshChecksum(b); })(),
    'section tag wrong, valid checksum': (() => { const b = Uint8Array.from(good); b[16] = 2; return withFreshChecksum(b); })(),
    'random bytes': Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff),
    'text': new TextEncoder().encode('{"format":"attune-profile"}'),
  };
  for (const [what, bytes] of Object.entries(variants)) {
    const { engine, storage, early, late } = await openOn(bytes);
    const err = await late;
    assert.equal(err.code, 'corrupt_profile', what);
    assert.equal(early.length, 1, what);
    assert.deepEqual(storage.peekQuarantine('default'), bytes, what);
    assert.equal(storage.peek('default'), null, what);
    assert.deepEqual((await engine.export()).history, [], what);
  }
});

test('a snapshot from a newer version is refused: the engine works in memory and never overwrites it', async () => {
  const newer = withVersion(await validSnapshot(), SNAPSHOT_VERSION + 1);
  const { engine, storage, early, late } = await openOn(newer);
  const err = await late;
  assert.equal(err.code, 'newer_version');
  assert.match(err.message, /2/);
  assert.deepEqual(early.map((e) => e.code), ['newer_version']);
  assert.equal(storage.peekQuarantine('default'), null, 'newer data is not damaged data');

  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(3), type: 'click' });
  await engine.block({ item: itemId(4) });
  assert.ok(!engine.recommend({ k: 30 }).some((r) => r.id === itemId(3) || r.id === itemId(4)), 'it works in memory');
  await engine.flush();
  await engine.setPrivacyLevel('segment');
  await engine.import(await engine.export());
  await engine.flush();
  engine.close();
  await engine.flush();
  assert.deepEqual(storage.peek('default'), newer, 'the newer bytes were overwritten');
});

test('a failing adapter save emits an error event and never throws into the caller', async () => {
  const storage = flakyStorage();
  const errors = [];
  const engine = await createEngine({ catalog, config, storage, now: makeClock().now, on: { error: (e) => errors.push(e) } });
  storage.failing.save = true;
  const failed = nextEvent(engine, 'error');
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.block({ tag: 'ai' });
  engine.recommend({ k: 3 });
  const err = await failed;
  assert.ok(err instanceof AttuneError);
  assert.equal(err.code, 'storage_failed');
  assert.match(err.message, /quota exceeded/);
  assert.equal((await engine.export()).history.length, 1, 'the engine keeps working in memory');

  /* once storage works again, the next flush writes everything */
  storage.failing.save = false;
  await engine.flush();
  const bytes = storage.peek('default');
  assert.ok(bytesContain(bytes, itemId(1)) && bytesContain(bytes, 'ai') && bytesContain(bytes, 'plan'));
  engine.close();
  await engine.flush();
});

test('flush() resolves even when the save fails; the failure goes to error listeners', async () => {
  const storage = flakyStorage();
  const engine = await createEngine({ catalog, config, storage, now: makeClock().now });
  const errors = [];
  engine.on('error', (e) => errors.push(e.code));
  storage.failing.save = true;
  await engine.track({ item: itemId(1), type: 'click' });
  try {
    await assert.doesNotReject(() => engine.flush());
    assert.ok(errors.includes('storage_failed'));
  } finally {
    engine.close();
    await engine.flush().catch(() => {});
  }
});

test('a failing load reports storage_failed; the engine works in memory and never overwrites what it could not read', async () => {
  const original = await validSnapshot();
  const storage = flakyStorage();
  await storage.inner.save('default', original);
  storage.failing.load = true;
  const engine = await createEngine({ catalog, config, storage, now: makeClock().now });
  const err = await nextEvent(engine, 'error');
  assert.equal(err.code, 'storage_failed');
  storage.failing.load = false;
  await engine.track({ item: itemId(9), type: 'click' });
  assert.equal((await engine.export()).history.length, 1);
  await engine.flush();
  engine.close();
  await engine.flush();
  assert.deepEqual(storage.peek('default'), original);
});

test('flush resolves after debounced saves have reached storage', async () => {
  const { engine, storage } = await open({ catalog, config, saveDelayMs: 60_000 });
  await engine.track({ item: itemId(1), type: 'click' });
  assert.equal(storage.peek('default'), null, 'set-up: the save is still debounced');
  await engine.flush();
  assert.ok(bytesContain(storage.peek('default'), itemId(1)));
  await engine.track({ item: itemId(2), type: 'click' });
  await engine.setTraits({ plan: 'pro' });
  await engine.flush();
  const bytes = storage.peek('default');
  assert.ok(bytesContain(bytes, itemId(2)) && bytesContain(bytes, 'plan'));
  await engine.flush(); /* nothing pending: resolves */
  assert.deepEqual(storage.peek('default'), bytes);
  engine.close();
});

test('close() saves what is pending; afterwards every call fails with closed', async () => {
  const { engine, storage } = await open({ catalog, config, saveDelayMs: 60_000 });
  await engine.track({ item: itemId(1), type: 'click' });
  engine.close();
  await engine.flush();
  assert.ok(bytesContain(storage.peek('default'), itemId(1)), 'the pending save was written on close');
  engine.close(); /* closing twice is harmless */
  const calls = {
    setTraits: () => engine.setTraits({ plan: 'pro' }),
    track: () => engine.track({ item: itemId(2), type: 'click' }),
    recommend: () => engine.recommend(),
    explain: () => engine.explain(itemId(1)),
    segment: () => engine.segment(),
    serverPayload: () => engine.serverPayload(),
    inventory: () => engine.inventory(),
    metrics: () => engine.metrics(),
    privacyReport: () => engine.privacyReport(),
    setPrivacyLevel: () => engine.setPrivacyLevel('segment'),
    block: () => engine.block({ item: itemId(1) }),
    unblock: () => engine.unblock({ item: itemId(1) }),
    export: () => engine.export(),
    import: () => engine.import('{}'),
    forget: () => engine.forget(),
  };
  for (const [name, call] of Object.entries(calls)) {
    const err = await expectCode(call, 'closed');
    assert.ok(err.message.length > 0, name);
  }
  assert.ok(bytesContain(storage.peek('default'), itemId(1)), 'calls after close changed nothing stored');
});

test('async methods of a closed engine reject rather than throw synchronously', async () => {
  const { engine } = await open({ catalog, config });
  engine.close();
  for (const call of [() => engine.track({ item: itemId(1), type: 'view' }), () => engine.forget(), () => engine.export()]) {
    let p;
    assert.doesNotThrow(() => { p = call(); });
    await assert.rejects(p, (e) => e instanceof AttuneError && e.code === 'closed');
  }
});

test('profiles with different ids are stored and loaded separately', async () => {
  const storage = new MemoryStorage();
  const clock = makeClock();
  const a = await open({ catalog, config, storage, clock, profileId: 'alice' });
  const b = await open({ catalog, config, storage, clock, profileId: 'bob' });
  await a.engine.track({ item: itemId(1), type: 'click' });
  await b.engine.track({ item: itemId(2), type: 'click' });
  await a.engine.flush();
  await b.engine.flush();
  assert.deepEqual(storage.keys().sort(), ['alice', 'bob']);
  assert.ok(!bytesContain(storage.peek('alice'), itemId(2)));
  const a2 = await reopen(a);
  assert.deepEqual((await a2.engine.export()).history.map((h) => h.item), [itemId(1)]);
  await a2.engine.forget();
  assert.deepEqual(storage.keys(), ['bob']);
});

test('change events carry the reason and level; on() returns a function that unsubscribes', async () => {
  const { engine } = await open({ catalog, config });
  const seen = [];
  const off = engine.on('change', (e) => seen.push(e));
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.block({ tag: 'ai' });
  await engine.unblock({ tag: 'ai' });
  await engine.setPrivacyLevel('segment');
  await engine.import(await engine.export());
  await engine.forget();
  assert.deepEqual(seen.map((e) => e.reason), ['traits', 'track', 'block', 'unblock', 'level', 'import', 'forget']);
  assert.deepEqual(seen[4], { reason: 'level', level: 'segment' });
  off();
  await engine.track({ item: itemId(2), type: 'click' });
  assert.equal(seen.length, 7);
});

test('a throwing change listener is reported as listener_failed and breaks neither the call nor other listeners', async () => {
  const { engine } = await open({ catalog, config });
  const errors = [];
  const others = [];
  engine.on('change', () => { throw new Error('boom'); });
  engine.on('change', (e) => others.push(e.reason));
  engine.on('error', (e) => errors.push(e));
  await engine.track({ item: itemId(1), type: 'click' });
  assert.deepEqual(others, ['track']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'listener_failed');
  assert.match(errors[0].message, /boom/);
  assert.equal((await engine.export()).history.length, 1);
});

test('the storage option is validated', async () => {
  await expectCode(() => open({ catalog, storage: 'indexeddb' }), 'bad_argument', 'indexeddb');
  await expectCode(() => open({ catalog, storage: 'disk' }), 'bad_argument');
  await expectCode(() => open({ catalog, storage: { load: async () => null, save: async () => {} } }), 'bad_argument');
  await expectCode(() => open({ catalog, storage: null }), 'bad_argument');
  const { engine } = await open({ catalog, storage: 'memory' });
  await engine.track({ item: itemId(1), type: 'click' });
  await engine.flush();
});

test('two engines on one storage (two tabs) keep the interactions of both', async () => {
  const storage = new MemoryStorage();
  const clock = makeClock();
  const a = await open({ catalog, config, storage, clock });
  const b = await open({ catalog, config, storage, clock });
  await a.engine.track({ item: itemId(1), type: 'click' });
  clock.advance(1000);
  await b.engine.track({ item: itemId(2), type: 'click' });
  clock.advance(1000);
  await a.engine.flush();
  await b.engine.flush();
  a.engine.close();
  b.engine.close();
  await a.engine.flush();
  await b.engine.flush();
  const c = await open({ catalog, config, storage, clock });
  assert.deepEqual((await c.engine.export()).history.map((h) => h.item), [itemId(1), itemId(2)]);
});

test('a version 1 snapshot (before the model section existed) still loads', async () => {
  const v1 = asVersion1(await validSnapshot());
  assert.equal(snapshotHeader(v1).version, 1);
  const { engine, storage } = await openOn(v1);
  assert.ok((await engine.export()).history.length > 0);
  await engine.track({ item: itemId(20), type: 'view' });
  await engine.flush();
  assert.equal(snapshotHeader(storage.peek('default')).version, SNAPSHOT_VERSION, 'it is rewritten in the current format');
});
