/**
 * What the engine needs from a browser: compiling the wasm (streaming when possible, with an
 * optional SRI integrity value), fetching a catalog URL, and IndexedDB storage.  Shared by the
 * ES module entry (js/index.js) and the <script> build (web/attune-global.js), which differ
 * only in how they find attune.wasm.
 */
import { readCatalog } from './catalog-source.js';
import { AttuneError, JS_CODES } from './errors.js';
import { IndexedDBStorage } from './storage/indexeddb.js';
import { cachedModule, hasSimd } from './wasm.js';

async function fetchBytes(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
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

const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia|qwant|startpage|search\.brave)\./;
const SOCIAL = /(^|\.)(facebook|instagram|twitter|linkedin|reddit|pinterest|tiktok|youtube|mastodon|threads)\.|(^|\.)(t\.co|x\.com|lnkd\.in)$/;

/**
 * The coarse context a browser can tell without storing anything raw: the device class (from
 * the pointer and screen size, not the user agent) and the referrer class (from the
 * referrer's host, not the URL).  Only the class ever reaches the engine.
 */
function browserContext() {
  const out = {};
  const mobileHint = globalThis.navigator?.userAgentData?.mobile;
  const coarse = globalThis.matchMedia?.('(pointer: coarse)').matches;
  const side = Math.min(globalThis.screen?.width ?? 1280, globalThis.screen?.height ?? 800);
  out.device = mobileHint || (coarse && side < 600) ? 'mobile' : coarse && side < 1100 ? 'tablet' : 'desktop';
  try {
    if (new URLSearchParams(globalThis.location?.search ?? '').get('utm_medium') === 'email') {
      out.referrer = 'email';
    } else if (!globalThis.document?.referrer) {
      out.referrer = 'direct';
    } else {
      const host = new URL(document.referrer).hostname;
      if (host === globalThis.location?.hostname) out.referrer = 'internal';
      else if (SEARCH.test(host)) out.referrer = 'search';
      else if (SOCIAL.test(host)) out.referrer = 'social';
    }
  } catch {
    /* an unreadable referrer simply gives no class */
  }
  return out;
}

/** The SRI value an integrity.json-style object gives the wasm at `url` (by file name). */
function entryFor(integrity, url) {
  const name = decodeURIComponent(url.pathname.split('/').pop());
  const sri = integrity[name];
  if (typeof sri !== 'string') {
    throw new AttuneError(JS_CODES.WASM, `wasmIntegrity has no entry for "${name}" (it has: ${Object.keys(integrity).join(', ') || 'none'}); ` +
      'give the SRI value of the wasm file you serve, or integrity.json as built beside it');
  }
  return sri;
}

/**
 * @param {URL} simdUrl where attune.wasm is when the page does not say
 * @param {URL} scalarUrl where attune-scalar.wasm is (used where WebAssembly SIMD is missing)
 */
export function browserPlatform(simdUrl, scalarUrl) {
  const defaultWasmUrl = hasSimd() ? simdUrl : scalarUrl;
  return {
    defaultStorage: 'indexeddb',
    context: browserContext,
    defaultSaveDelayMs: 250,
    indexedDB: (o) => new IndexedDBStorage({ dbName: o.dbName, persist: o.persist, onError: o.onStorageError }),
    /**
     * Calls `fn` when the page may be leaving: as a navigation to another document starts
     * (Navigation API: the new page's response leaves time for a write to commit), when the
     * page is hidden (mobile browsers may never fire pagehide), and at pagehide — the last
     * moment, when Chromium may tear the page down before a write started then commits.
     * Returns a function that removes the listeners.
     */
    onLeave(fn) {
      if (typeof addEventListener !== 'function' || typeof document === 'undefined') return null;
      const nav = globalThis.navigation;
      const onHide = () => fn();
      const onNavigate = (e) => { if (!e.destination?.sameDocument) fn(); };
      const onVisibility = () => { if (document.visibilityState === 'hidden') fn(); };
      addEventListener('pagehide', onHide);
      document.addEventListener('visibilitychange', onVisibility);
      nav?.addEventListener?.('navigate', onNavigate);
      return () => {
        removeEventListener('pagehide', onHide);
        document.removeEventListener('visibilitychange', onVisibility);
        nav?.removeEventListener?.('navigate', onNavigate);
      };
    },
    /* `integrity`: an SRI value, or dist/integrity.json's object (keyed by file name) */
    loadModule(wasm, integrity) {
      const url = wasm === undefined ? defaultWasmUrl : new URL(wasm, globalThis.location?.href ?? defaultWasmUrl);
      const sri = integrity && typeof integrity === 'object' ? entryFor(integrity, url) : integrity;
      return cachedModule(`${url.href}#${sri ?? ''}`, () => compileFrom(url, sri));
    },
    readCatalog: (catalog) => readCatalog(catalog, fetchBytes, globalThis.location?.href),
  };
}
