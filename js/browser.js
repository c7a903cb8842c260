/**
 * What the engine needs from a browser: compiling the wasm (streaming when possible, with an
 * optional SRI integrity value), fetching a catalog URL, and IndexedDB storage.  Shared by the
 * ES module entry (js/index.js) and the <script> build (web/attune-global.js), which differ
 * only in how they find attune.wasm.
 */
import { readCatalog } from './catalog-source.js';
import { IndexedDBStorage } from './storage/indexeddb.js';
import { cachedModule } from './wasm.js';

async function fetchText(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** Compiles a wasm from a URL, streaming when the server labels it application/wasm. */
async function compileFrom(url, integrity) {
  const init = { credentials: 'same-origin' };
  if (integrity) init.integrity = integrity;
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  if (typeof WebAssembly.compileStreaming === 'function' &&
      (res.headers.get('content-type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

/**
 * @param {URL} defaultWasmUrl where attune.wasm is when the page does not say
 */
export function browserPlatform(defaultWasmUrl) {
  return {
    defaultStorage: 'indexeddb',
    defaultSaveDelayMs: 250,
    indexedDB: (o) => new IndexedDBStorage({ dbName: o.dbName, persist: o.persist, onError: o.onStorageError }),
    /** Saves before the page goes away: pagehide, or hidden (mobile browsers may not fire pagehide). */
    onPageHide(fn) {
      if (typeof addEventListener !== 'function' || typeof document === 'undefined') return null;
      const onHide = () => fn();
      const onVisibility = () => { if (document.visibilityState === 'hidden') fn(); };
      addEventListener('pagehide', onHide);
      document.addEventListener('visibilitychange', onVisibility);
      return () => {
        removeEventListener('pagehide', onHide);
        document.removeEventListener('visibilitychange', onVisibility);
      };
    },
    loadModule(wasm, integrity) {
      const url = wasm === undefined ? defaultWasmUrl : new URL(wasm, globalThis.location?.href ?? defaultWasmUrl);
      return cachedModule(`${url.href}#${integrity ?? ''}`, () => compileFrom(url, integrity));
    },
    readCatalog: (catalog) => readCatalog(catalog, fetchText, globalThis.location?.href),
  };
}
