/**
 * attune for Node.js (the "node" export condition): reads attune.wasm from the package with
 * fs, and keeps profiles in memory unless an adapter is given.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Engine } from './engine.js';
import { readCatalog } from './catalog-source.js';
import { cachedModule, hasSimd } from './wasm.js';

export { AttuneError } from './errors.js';
export { MemoryStorage } from './storage/memory.js';
export { packCatalog } from './pack.js';

const WASM_URL = hasSimd() ? new URL('../dist/attune.wasm', import.meta.url)
  : new URL('../dist/attune-scalar.wasm', import.meta.url);

async function fetchBytes(url) {
  if (url.protocol === 'file:') return new Uint8Array(await readFile(fileURLToPath(url)));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const platform = {
  defaultStorage: 'memory',
  defaultSaveDelayMs: 0,
  indexedDB: null,
  loadModule(wasm) {
    const url = wasm === undefined ? WASM_URL : new URL(wasm, WASM_URL);
    return cachedModule(url.href, async () => {
      const bytes = url.protocol === 'file:' ? await readFile(fileURLToPath(url)) : new Uint8Array(await (await fetch(url)).arrayBuffer());
      return WebAssembly.compile(bytes);
    });
  },
  readCatalog: (catalog) => readCatalog(catalog, fetchBytes, `file://${process.cwd()}/`),
};

/**
 * Creates an engine for one profile.  See README "API".
 * @param {import('./index.js').EngineOptions} options
 */
export function createEngine(options) {
  return Engine.create(options, platform);
}
