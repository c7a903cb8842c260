/**
 * AttuneError: every failure the library reports.  `code` is stable (see README "Errors");
 * `message` says what was wrong and what to do.  The checks of call arguments that raise most of
 * them are in args.js.
 */
export class AttuneError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'AttuneError';
    this.code = code;
  }
}

/** Codes raised by the JS layer itself (the C core's codes come from its constants). */
export const JS_CODES = Object.freeze({
  WASM: 'wasm_unavailable',
  MISMATCH: 'wasm_mismatch',
  CLOSED: 'closed',
  STORAGE: 'storage_failed',
  ARG: 'bad_argument',
  CATALOG_FETCH: 'catalog_unavailable',
});

/** A short description of a value for error messages. @param {unknown} value */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function badArgument(message) {
  return new AttuneError(JS_CODES.ARG, message);
}

/** A storage adapter's failure as an AttuneError (quota_exceeded or storage_failed). */
export function asStorageError(err, what) {
  if (err instanceof AttuneError) return err;
  const quota = err?.name === 'QuotaExceededError';
  return new AttuneError(quota ? 'quota_exceeded' : JS_CODES.STORAGE, `${what} (${err?.name ?? 'Error'}: ${err?.message ?? err})`, { cause: err });
}
