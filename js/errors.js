/**
 * AttuneError: every failure the library reports.  `code` is stable (see README "Errors");
 * `message` says what was wrong and what to do.
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

/** A plain object ({} or JSON.parse output), not an array, Map, Date or class instance. */
export function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * JSON text for the core.  What JSON.stringify cannot take is a bad_argument; NaN and
 * ±Infinity, which it would quietly write as null, are refused with `code` (the core's code
 * for `what`) and their path, e.g. "config.ranking.diversity".
 * @param {unknown} value
 * @param {string} what the name of `value` in messages
 * @param {string} [code]
 */
export function toJSON(value, what, code = JS_CODES.ARG) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new AttuneError(JS_CODES.ARG, `${what}: cannot be turned into JSON (${err.message})`, { cause: err });
  }
  if (text === undefined) throw badArgument(`${what}: expected an object, got ${describe(value)}`);
  if (text.includes('null')) refuseNonFinite(value, what, code); /* only then can one hide in it */
  return text;
}

/** Throws at the first NaN or ±Infinity in the plain objects and arrays of `value`. */
function refuseNonFinite(value, path, code) {
  const stack = [[value, path]]; /* no recursion: JSON.stringify took the nesting, so may we */
  while (stack.length) {
    const [v, p] = stack.pop();
    if (typeof v === 'number' && !Number.isFinite(v)) throw new AttuneError(code, `${p}: expected a finite number, got ${v}`);
    const entries = Array.isArray(v) ? v.map((x, i) => [x, `${p}[${i}]`])
      : isPlainObject(v) ? Object.entries(v).map(([k, x]) => [x, `${p}.${k}`]) : [];
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]); /* the first one is reported */
  }
}
