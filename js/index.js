/**
 * attune for browsers and bundlers (the "default" export condition).  The wasm is located with
 * a literal `new URL('…', import.meta.url)` so bundlers emit it; pass `wasm` to override.
 */
import { Engine } from './engine.js';
import { browserPlatform } from './browser.js';

export { AttuneError } from './errors.js';
export { MemoryStorage } from './storage/memory.js';
export { packCatalog } from './pack.js';

/* both literal, so bundlers emit both; the loader picks by feature detection */
const platform = browserPlatform(new URL('../dist/attune.wasm', import.meta.url),
  new URL('../dist/attune-scalar.wasm', import.meta.url));

/**
 * Creates an engine for one profile.  See README "API".
 * @param {import('./index.js').EngineOptions} options
 */
export function createEngine(options) {
  return Engine.create(options, platform);
}
