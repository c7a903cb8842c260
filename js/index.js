/**
 * attune for browsers and bundlers (the "default" export condition).  The wasm is located with
 * a literal `new URL('…', import.meta.url)` so bundlers emit it; pass `wasm` to override.
 */
import { Engine } from './engine.js';
import { readCatalog } from './catalog-source.js';
import { cachedModule } from './wasm.js';

export { AttuneError } from './errors.js';
export { MemoryStorage } from './storage/memory.js';

const WASM_URL = new URL('../dist/attune.wasm', import.meta.url);

async function fetchText(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** Compiles a wasm from a URL, streaming when the server labels it application/wasm. */
export async function compileFrom(url, integrity) {
  const init = integrity ? { integrity, credentials: 'same-origin' } : { credentials: 'same-origin' };
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  if (typeof WebAssembly.compileStreaming === 'function' &&
      (res.headers.get('content-type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

export const browserPlatform = {
  defaultStorage: 'memory',
  defaultSaveDelayMs: 250,
  indexedDB: null,
  loadModule(wasm, integrity) {
    const url = wasm === undefined ? WASM_URL : new URL(wasm, globalThis.location?.href ?? WASM_URL);
    return cachedModule(url.href, () => compileFrom(url, integrity));
  },
  readCatalog: (catalog) => readCatalog(catalog, fetchText, globalThis.location?.href),
};

/**
 * Creates an engine for one profile.  See README "API".
 * @param {import('./index.js').EngineOptions} options
 */
export function createEngine(options) {
  return Engine.create(options, browserPlatform);
}
