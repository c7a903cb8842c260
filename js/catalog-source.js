/**
 * Turns the `catalog` option (object, JSON text or URL) into JSON text.  Only a URL the page
 * gives is ever fetched.
 */
import { AttuneError, JS_CODES, badArgument, describe } from './errors.js';

/**
 * @param {unknown} catalog
 * @param {(url: URL) => Promise<string>} fetchText
 * @param {string | URL | undefined} base
 */
export async function readCatalog(catalog, fetchText, base) {
  if (typeof catalog === 'string') {
    const first = catalog.trimStart()[0];
    if (first === '{' || first === undefined) return catalog;
    return fetchCatalog(new URL(catalog, base), fetchText);
  }
  if (catalog instanceof URL) return fetchCatalog(catalog, fetchText);
  if (catalog !== null && typeof catalog === 'object' && !Array.isArray(catalog)) {
    try {
      return JSON.stringify(catalog);
    } catch (err) {
      throw new AttuneError(JS_CODES.ARG, `catalog: cannot be turned into JSON (${err.message})`, { cause: err });
    }
  }
  throw badArgument(`createEngine: catalog must be an object, JSON text or a URL, got ${describe(catalog)}`);
}

async function fetchCatalog(url, fetchText) {
  try {
    return await fetchText(url);
  } catch (err) {
    throw new AttuneError(JS_CODES.CATALOG_FETCH, `catalog: could not load ${url.href} (${err?.message ?? err})`, { cause: err });
  }
}
