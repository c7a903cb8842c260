import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  open, makeCatalog, itemId, recordingStorage, tinyWasm, storedBytes, MemoryStorage, AttuneError,
} from './helpers.js';

const catalog = makeCatalog({ n: 10, seed: 1 });
const dir = mkdtempSync(join(tmpdir(), 'attune-abi-'));
let serial = 0;
/** Writes bytes to a fresh file (modules are cached by URL, so never reuse a name). */
function wasmFile(bytes) {
  const file = join(dir, `m${serial++}.wasm`);
  writeFileSync(file, bytes);
  return file;
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

const abi2 = () => tinyWasm([['att_abi_version', 2], ['_initialize', null]]);

/**
 * A refused wasm never breaks the page: createEngine resolves to the fallback (level none,
 * ranked by popularity, nothing stored) and the cause reaches 'error' listeners attached right
 * after it resolves.  Returns that error.
 */
async function expectFallback(make, code) {
  const { engine } = await make();
  const errors = [];
  engine.on('error', (e) => errors.push(e));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(engine.degraded, true, 'the engine says it is degraded');
  assert.equal(engine.level, 'none');
  assert.equal(engine.recommend({ k: 3 }).length, 3, 'it still ranks');
  assert.equal(engine.serverPayload(), null, 'and sends nothing');
  assert.equal(errors.length, 1, 'one error event names the cause');
  assert.ok(errors[0] instanceof AttuneError);
  if (code) assert.equal(errors[0].code, code, errors[0].message);
  return errors[0];
}

test('a wasm with a different ABI is refused with wasm_mismatch (path, file URL, file URL text)', async () => {
  for (const form of [(f) => f, (f) => pathToFileURL(f), (f) => pathToFileURL(f).href]) {
    const err = await expectFallback(() => open({ catalog, wasm: form(wasmFile(abi2())) }), 'wasm_mismatch');
    assert.match(err.message, /ABI 2/);
    assert.match(err.message, /ABI 1/);
  }
});

test('a relative wasm path is resolved and checked too', async () => {
  const file = wasmFile(abi2());
  const rel = relative(fileURLToPath(new URL('../../dist/', import.meta.url)), file);
  await expectFallback(() => open({ catalog, wasm: rel }), 'wasm_mismatch');
});

test('a wasm with a newer or older ABI is refused, whatever the number', async () => {
  for (const abi of [0, -1, 1000]) {
    await expectFallback(() => open({ catalog, wasm: wasmFile(tinyWasm([['att_abi_version', abi], ['_initialize', null]])) }), 'wasm_mismatch');
  }
});

test('a wasm that is not an Attune module is refused with wasm_mismatch', async () => {
  await expectFallback(() => open({ catalog, wasm: wasmFile(tinyWasm([['_initialize', null]])) }), 'wasm_mismatch');
  await expectFallback(() => open({ catalog, wasm: wasmFile(tinyWasm([['att_abi_version', 1]])) }), 'wasm_mismatch');
  await expectFallback(() => open({ catalog, wasm: wasmFile(tinyWasm([])) }), 'wasm_mismatch');
});

test('a wasm claiming ABI 1 but lacking the engine functions is refused with wasm_mismatch', async () => {
  const file = wasmFile(tinyWasm([['att_abi_version', 1], ['_initialize', null]]));
  await expectFallback(() => open({ catalog, wasm: file }), 'wasm_mismatch');
});

test('a wasm needing imports the glue does not provide is refused with an AttuneError', async () => {
  const file = wasmFile(tinyWasm([['att_abi_version', 1], ['_initialize', null]], [['env', 'something_else']]));
  const err = await expectFallback(() => open({ catalog, wasm: file }));
  assert.ok(['wasm_mismatch', 'wasm_unavailable'].includes(err.code), err.code);
});

test('a missing or unreadable wasm is reported as wasm_unavailable', async () => {
  await expectFallback(() => open({ catalog, wasm: join(dir, 'missing.wasm') }), 'wasm_unavailable');
  await expectFallback(() => open({ catalog, wasm: wasmFile(Uint8Array.from([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9])) }), 'wasm_unavailable');
  await expectFallback(() => open({ catalog, wasm: wasmFile(new TextEncoder().encode('not wasm at all')) }), 'wasm_unavailable');
  await expectFallback(() => open({ catalog, wasm: dir }), 'wasm_unavailable');
});

test('a refused wasm never touches the stored profile', async () => {
  const first = await open({ catalog });
  await first.engine.track({ item: itemId(1), type: 'click' });
  const bytes = await storedBytes(first.engine, first.storage);
  const rec = recordingStorage(first.storage);
  await expectFallback(() => open({ catalog, storage: rec, wasm: wasmFile(abi2()) }), 'wasm_mismatch');
  assert.deepEqual(rec.calls, []);
  assert.deepEqual(first.storage.peek('default'), bytes);
});

test('the shipped attune.wasm loads by default and by explicit path', async () => {
  const shipped = fileURLToPath(new URL('../../dist/attune.wasm', import.meta.url));
  for (const wasm of [undefined, shipped, pathToFileURL(shipped)]) {
    const { engine } = await open({ catalog, storage: new MemoryStorage(), ...(wasm ? { wasm } : {}) });
    assert.equal(engine.recommend({ k: 3 }).length, 3);
    assert.equal(engine.degraded, false);
    assert.equal(engine.degradedReason, null);
  }
});

test("the glue's argument checks use the core's levels, event types and limits", async () => {
  const { LEVELS, EVENT_TYPES, LIMITS } = await import('../../js/args.js');
  const { Core, hasSimd } = await import('../../js/wasm.js');
  const wasm = new URL(hasSimd() ? '../../dist/attune.wasm' : '../../dist/attune-scalar.wasm', import.meta.url);
  const { constants } = new Core(await WebAssembly.compile(readFileSync(wasm)));
  assert.deepEqual(LEVELS, constants.levels);
  assert.deepEqual(EVENT_TYPES, constants.events);
  for (const [name, value] of Object.entries(LIMITS)) assert.equal(value, constants.limits[name], name);
});
