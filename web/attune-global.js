/**
 * The <script> build: defines the global `Attune`.  attune.wasm (or attune-scalar.wasm where
 * WebAssembly SIMD is missing) is looked for beside this script (its URL is captured from document.currentScript while the script first runs);
 * pass `wasm` to createEngine to load it from elsewhere.
 */
import { Engine } from '../js/engine.js';
import { browserPlatform } from '../js/browser.js';
import { AttuneError } from '../js/errors.js';
import { MemoryStorage } from '../js/storage/memory.js';

const script = typeof document !== 'undefined' ? document.currentScript : null;
const here = script && script.src ? script.src : globalThis.location?.href;
const platform = browserPlatform(new URL('attune.wasm', here), new URL('attune-scalar.wasm', here));

globalThis.Attune = Object.freeze({
  createEngine: (options) => Engine.create(options, platform),
  AttuneError,
  MemoryStorage,
});
