/**
 * The checks of call arguments that the engine and its fallback share, so a page gets the same
 * AttuneError from either, and JSON for the core that never hides a NaN.  Both engines run these
 * first (the core checks again: it is a C API of its own).  The one check they leave to the
 * caller is whether an id is in the catalog — the core knows, and so does the fallback's item
 * list — made after these.
 */
import { AttuneError, JS_CODES, badArgument, describe } from './errors.js';

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

export const LEVELS = Object.freeze(['none', 'segment', 'behavioral', 'contextual', 'individual']);
export const EVENT_TYPES = Object.freeze(['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression']);
/** The core's limits (its att_constants(); a test keeps the two equal). */
export const LIMITS = Object.freeze({ idBytes: 128, tagBytes: 64, k: 1000, list: 10000 });

const DAY_MS = 86_400_000;
const EVENT_KEYS = ['item', 'type', 'at', 'value'];
const RECOMMEND_KEYS = ['k', 'exclude', 'filter', 'context', 'seed'];
const CONTEXT_ENUMS = new Map([
  ['daypart', ['morning', 'afternoon', 'evening', 'night']],
  ['device', ['mobile', 'tablet', 'desktop']],
  ['referrer', ['search', 'social', 'email', 'direct', 'internal']],
]);
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * What the checks need from the site's config: the engine's normalised config, or the raw one
 * the fallback was given (defaults filled in as the core fills them).
 */
export function callRules(config) {
  const c = isPlainObject(config) ? config : {};
  return {
    contextKeys: Array.isArray(c.context?.keys) ? c.context.keys : [],
    traits: isPlainObject(c.traits) ? c.traits : {},
    maxLevel: LEVELS.includes(c.maxPrivacyLevel) ? c.maxPrivacyLevel : 'individual',
    retentionDays: Number.isFinite(c.history?.retentionDays) ? c.history.retentionDays : 30,
  };
}

/** The clock's reading: ms since 1970, as the core accepts it. */
export function clockTime(now) {
  const t = now();
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 8.64e15) {
    throw badArgument(`now(): the clock returned ${describe(t)}; it must return milliseconds since 1970`);
  }
  return t;
}

/** Bytes `s` takes in UTF-8 (a lone surrogate goes in as U+FFFD: 3). */
function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True for 1 to `max` bytes of printable UTF-8 (tab allowed), as the core's att__valid_text. */
function isText(s, max) {
  return typeof s === 'string' && s.length > 0 && s.length <= max && utf8Length(s) <= max &&
    !/[\0-\x08\n-\x1f\x7f]/.test(s);
}

/** An id or tag argument: 1 to `max` bytes of printable text. */
export function checkKey(s, max, what) {
  if (typeof s !== 'string') throw badArgument(`${what} must be a string, got ${describe(s)}`);
  if (!isText(s, max)) throw badArgument(`${what} must be 1 to ${max} bytes of printable text, got ${describe(s)}`);
  return s;
}

function checkList(list, max, what) {
  if (!Array.isArray(list)) throw badArgument(`${what}: expected an array of strings, got ${describe(list)}`);
  if (list.length > LIMITS.list) throw new AttuneError('too_large', `${what}: at most ${LIMITS.list} entries`);
  list.forEach((s, i) => {
    if (typeof s !== 'string') throw badArgument(`${what}[${i}]: expected a string, got ${describe(s)}`);
    if (s.length > max || utf8Length(s) > max) throw badArgument(`${what}[${i}]: longer than ${max} bytes`);
  });
}

/**
 * The call's context, checked key by key: what the page passed, over what the engine tells
 * itself (hour and weekday from the clock at `now`, in local time; `platform`: the device and
 * referrer class a browser gives).
 */
export function contextOf(context, what, rules, now, platform) {
  if (context !== undefined && context !== null && !isPlainObject(context)) {
    throw badArgument(`${what}: context must be an object, got ${describe(context)}`);
  }
  const d = new Date(now);
  const out = { hour: d.getHours(), weekday: d.getDay(), ...platform, ...context };
  for (const [key, v] of Object.entries(out)) {
    const at = `${what}: context.${key}`;
    if (v === undefined) continue; /* absent, as in JSON */
    if (key === 'hour') {
      if (!Number.isInteger(v) || v < 0 || v > 23) throw badArgument(`${at}: expected a whole number from 0 to 23, got ${describe(v)}`);
    } else if (key === 'weekday') {
      if (typeof v === 'number' ? !Number.isInteger(v) || v < 0 || v > 6 : !WEEKDAYS.includes(v)) {
        throw badArgument(`${at}: expected 0 (Sunday) to 6 (Saturday) or sun..sat, got ${describe(v)}`);
      }
    } else if (CONTEXT_ENUMS.has(key)) {
      if (!CONTEXT_ENUMS.get(key).includes(v)) throw badArgument(`${at}: expected one of ${CONTEXT_ENUMS.get(key).join(', ')}, got ${describe(v)}`);
    } else if (!rules.contextKeys.includes(key)) {
      throw badArgument(`${what}: ${describe(key)} is not a context key (use hour, weekday, daypart, device, referrer, ` +
        'or declare it in config.context.keys)');
    } else if (!isText(v, LIMITS.tagBytes)) {
      throw badArgument(`${at}: expected 1 to ${LIMITS.tagBytes} bytes of printable text, got ${describe(v)}`);
    }
  }
  return out;
}

/** recommend()'s options, checked, with the context filled in (see contextOf). */
export function recommendOptions(options, rules, now, platform) {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw badArgument(`recommend: expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!RECOMMEND_KEYS.includes(key)) throw badArgument(`recommend: unknown option ${describe(key)} (use ${RECOMMEND_KEYS.join(', ')})`);
  }
  const { k, seed, exclude, filter } = options;
  if (k !== undefined && (!Number.isInteger(k) || k < 0 || k > LIMITS.k)) {
    throw badArgument(`recommend: k must be a whole number from 0 to ${LIMITS.k}, got ${describe(k)}`);
  }
  if (seed !== undefined && !Number.isFinite(seed)) throw badArgument(`recommend: seed must be a finite number, got ${describe(seed)}`);
  if (exclude !== undefined) checkList(exclude, LIMITS.idBytes, 'recommend: exclude');
  if (filter !== undefined) {
    if (typeof filter === 'function') {
      throw badArgument('recommend: filter must be an object {tags, categories}; functions cannot run inside the engine');
    }
    if (!isPlainObject(filter)) throw badArgument(`recommend: filter must be an object {tags, categories}, got ${describe(filter)}`);
    for (const [key, list] of Object.entries(filter)) {
      if (key !== 'tags' && key !== 'categories') throw badArgument(`recommend: filter: unknown key ${describe(key)} (use tags, categories)`);
      if (list !== undefined) checkList(list, LIMITS.tagBytes, `recommend: filter.${key}`);
    }
  }
  return { ...options, context: contextOf(options.context, 'recommend', rules, now, platform) };
}

/** track()'s event, checked: { item, type (its index), at (NaN: now), value (NaN: 1) }. */
export function eventOf(event, rules, now) {
  if (!isPlainObject(event)) throw badArgument(`track: expected an event object {item, type}, got ${describe(event)}`);
  for (const key of Object.keys(event)) {
    if (!EVENT_KEYS.includes(key)) throw badArgument(`track: unknown event key ${describe(key)} (use ${EVENT_KEYS.join(', ')})`);
  }
  const item = checkKey(event.item, LIMITS.idBytes, 'track: item');
  const type = EVENT_TYPES.indexOf(event.type);
  if (typeof event.type !== 'string' || type < 0) {
    throw badArgument(`track: type must be one of ${EVENT_TYPES.join(', ')}, got ${describe(event.type)}`);
  }
  let at = event.at instanceof Date ? event.at.getTime() : event.at;
  if (at !== undefined) {
    if (typeof at !== 'number' || !(at >= 0 && at <= now + DAY_MS)) {
      throw badArgument(`track: at must be a time in ms or a Date, at most a day ahead of now, got ${describe(at)}`);
    }
    at = Math.floor(at);
    if (at < now - rules.retentionDays * DAY_MS) {
      throw badArgument(`track: at is older than the retention of ${rules.retentionDays} days; such events are not kept`);
    }
  }
  const value = event.value;
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 100))) {
    throw badArgument(`track: value must be a number from 0 to 100, got ${describe(value)}`);
  }
  return { item, type, at: at ?? NaN, value: value ?? NaN };
}

/** shown()'s list of recommendations or ids, as ids. */
export function shownIds(items) {
  if (!Array.isArray(items)) throw badArgument(`shown: expected an array of recommendations or ids, got ${describe(items)}`);
  return items.map((x, i) => checkKey(typeof x === 'string' ? x : x?.id, LIMITS.idBytes, `shown: entry ${i} (an id or a recommendation)`));
}

/** setTraits()'s object as the core's JSON, refusing what the core would refuse. */
export function traitsJSON(traits, rules) {
  if (!isPlainObject(traits)) throw badArgument(`setTraits: expected an object {name: value}, got ${describe(traits)}`);
  const text = toJSON(traits, 'traits', 'bad_trait');
  for (const [name, value] of Object.entries(traits)) {
    if (value === undefined) continue; /* an absent key, as in JSON */
    if (name === 'usage') throw new AttuneError('bad_trait', 'traits.usage: usage is derived from activity and cannot be set');
    const values = Object.hasOwn(rules.traits, name) ? rules.traits[name] : null;
    if (!Array.isArray(values)) {
      throw new AttuneError('bad_trait', `setTraits: ${describe(name)} is not a declared trait; declare it in config.traits first`);
    }
    if (value !== null && typeof value !== 'string') {
      throw new AttuneError('bad_trait', `traits.${name}: expected a string, or null to clear it; got ${describe(value)}`);
    }
    if (value !== null && !values.includes(value)) {
      throw new AttuneError('bad_trait', `traits.${name}: ${describe(value)} is not a declared value of this trait`);
    }
  }
  return text;
}

/** A level name as its index, refusing one above the site's maximum. */
export function levelIndex(level, rules) {
  const i = LEVELS.indexOf(level);
  if (typeof level !== 'string' || i < 0) throw badArgument(`setPrivacyLevel: expected one of ${LEVELS.join(', ')}, got ${describe(level)}`);
  if (i > LEVELS.indexOf(rules.maxLevel)) {
    throw new AttuneError('level_not_allowed', `setPrivacyLevel: "${level}" is above this site's maximum "${rules.maxLevel}"`);
  }
  return i;
}

/** block()'s or unblock()'s target: { kind: 0 (tag) or 1 (item), key }. */
export function blockTarget(target, what) {
  if (!isPlainObject(target)) throw badArgument(`${what}: expected { tag } or { item }, got ${describe(target)}`);
  const keys = Object.keys(target);
  const kind = keys.length !== 1 ? -1 : ['tag', 'item'].indexOf(keys[0]);
  if (kind < 0) throw badArgument(`${what}: expected exactly one of { tag } or { item }`);
  return { kind, key: checkKey(target[keys[0]], kind ? LIMITS.idBytes : LIMITS.tagBytes, `${what}: ${keys[0]}`) };
}

/** import()'s data as JSON text. */
export function importJSON(data) {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return new TextDecoder().decode(data);
  if (isPlainObject(data)) return toJSON(data, 'import', 'corrupt_profile');
  throw badArgument(`import: expected an export object or its JSON text, got ${describe(data)}`);
}

