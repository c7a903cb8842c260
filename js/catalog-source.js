/**
 * Turns the `catalog` option (object, JSON text, URL, or bytes) into what the core loads: the
 * compact binary catalog when the glue can pack it, JSON text otherwise (the core then reports
 * exactly what is wrong).  Only a URL the page gives is ever fetched.
 */
import { AttuneError, JS_CODES, badArgument, describe } from './errors.js';
import { isPacked, packCatalog } from './pack.js';

const decoder = new TextDecoder();

/** JSON text: parsed here (far faster than in wasm) and packed, or left for the core to read. */
function fromText(text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text; /* the core's reader says where the syntax is wrong */
  }
  return packCatalog(parsed) ?? text;
}

function fromBytes(bytes) {
  return isPacked(bytes) ? bytes : fromText(decoder.decode(bytes));
}

/**
 * @param {unknown} catalog
 * @param {(url: URL) => Promise<Uint8Array>} fetchBytes
 * @param {string | URL | undefined} base
 * @returns {Promise<string | Uint8Array>}
 */
export async function readCatalog(catalog, fetchBytes, base) {
  if (typeof catalog === 'string') {
    const first = catalog.trimStart()[0];
    if (first === '{' || first === undefined) return fromText(catalog);
    return fromBytes(await fetchCatalog(new URL(catalog, base), fetchBytes));
  }
  if (catalog instanceof URL) return fromBytes(await fetchCatalog(catalog, fetchBytes));
  if (catalog instanceof Uint8Array) return fromBytes(catalog); /* a view: no copy of megabytes */
  if (catalog instanceof ArrayBuffer) return fromBytes(new Uint8Array(catalog));
  if (catalog !== null && typeof catalog === 'object' && !Array.isArray(catalog)) {
    const packed = packCatalog(catalog);
    if (packed) return packed;
    try {
      return JSON.stringify(catalog);
    } catch (err) {
      throw new AttuneError(JS_CODES.ARG, `catalog: cannot be turned into JSON (${err.message})`, { cause: err });
    }
  }
  throw badArgument(`createEngine: catalog must be an object, JSON text, packed bytes or a URL, got ${describe(catalog)}`);
}

async function fetchCatalog(url, fetchBytes) {
  try {
    return await fetchBytes(url);
  } catch (err) {
    throw new AttuneError(JS_CODES.CATALOG_FETCH, `catalog: could not load ${url.href} (${err?.message ?? err})`, { cause: err });
  }
}
