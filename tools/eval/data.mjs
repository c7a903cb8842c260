/**
 * Reading the evaluator's inputs: the catalog (Attune format), an optional config, the events
 * CSV (streamed into compact columns) and an optional traits CSV.  What is an error and what
 * is skipped and counted is listed in tools/eval/README.md ("Input rules"); in short:
 *
 *   errors (nothing is evaluated; up to 20 are listed with file and line):
 *     missing, unknown or repeated columns; a row with the wrong number of fields; an empty
 *     user or item; a timestamp that is neither ms nor ISO-8601 (or looks like seconds);
 *     an unknown event type or device; an undeclared trait or trait value; a user listed
 *     twice in the traits file; items not in the catalog when --strict-items is given.
 *   skipped and counted (reported in the summary):
 *     events on items not in the catalog (the default: logs outlive catalogs), users left out
 *     by --user-fraction, trait rows for users with no events.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readCSV, InputError } from './csv.mjs';

export const EVENT_TYPES = ['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression'];
export const DEVICES = ['mobile', 'tablet', 'desktop'];
export const TYPE_IMPRESSION = EVENT_TYPES.indexOf('impression');
export const TYPE_DISMISS = EVENT_TYPES.indexOf('dismiss');

const EVENT_COLUMNS = ['user', 'item', 'timestamp', 'type', 'device'];
const REQUIRED = ['user', 'item', 'timestamp'];
const MAX_PROBLEMS = 20;
/** ms before 1973-03-03: a smaller number is almost certainly seconds, not ms. */
const MIN_MS = 1e11;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A timestamp in ms since 1970: a number of ms (integer or decimal), or ISO-8601
 * (`2026-01-05`, `2026-01-05T12:00`, `2026-01-05T12:00:00.250Z`, `…+01:00`).  ISO times
 * without an offset are read as UTC.  Returns { ms } or { error }.
 * @param {string} s
 */
export function parseTimestamp(s) {
  if (s === '') return { error: 'empty timestamp' };
  if (/^\d+(\.\d+)?$/.test(s)) {
    const ms = Number(s);
    if (!Number.isFinite(ms)) return { error: `timestamp "${s}" is not a finite number` };
    if (ms < MIN_MS) {
      return { error: `timestamp ${s} is before 1973 in ms; if it is in seconds, multiply by 1000` };
    }
    if (ms > 8.64e15) return { error: `timestamp ${s} is out of range` };
    return { ms: Math.floor(ms) };
  }
  const m = ISO.exec(s);
  if (!m) return { error: `timestamp "${clip(s)}" is neither ms since 1970 nor ISO-8601 (e.g. 2026-01-05T12:00:00Z)` };
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +sec > 60) {
    return { error: `timestamp "${clip(s)}" is not a valid date and time` };
  }
  let z = zone;
  if (z !== 'Z' && !z.includes(':')) z = `${z.slice(0, 3)}:${z.slice(3)}`;
  const text = `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac.slice(0, 4).padEnd(frac ? 4 : 0, '0')}${z}`;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return { error: `timestamp "${clip(s)}" is not a valid date and time` };
  /* Date.parse rolls 31 February over into March: refuse days that do not exist */
  const check = new Date(Date.UTC(+y, +mo - 1, +d));
  if (check.getUTCDate() !== +d) return { error: `timestamp "${clip(s)}": ${y}-${mo} has no day ${+d}` };
  return { ms };
}

function clip(s, n = 40) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Collects problems; throws once there are MAX_PROBLEMS, or at the end if there were any. */
class Problems {
  constructor(file) {
    this.file = file;
    this.list = [];
  }

  add(line, message) {
    this.list.push(`${this.file}:${line}: ${message}`);
    if (this.list.length >= MAX_PROBLEMS) this.throw(true);
  }

  throw(truncated = false) {
    const more = truncated ? `\n(stopped after ${MAX_PROBLEMS} problems)` : '';
    const err = new InputError(`${this.list.length} problem${this.list.length === 1 ? '' : 's'} in ${this.file}:\n  ${this.list.join('\n  ')}${more}`,
      { problems: this.list.slice() });
    err.file = this.file;
    err.line = Number(this.list[0].split(':')[1]);
    throw err;
  }

  done() {
    if (this.list.length) this.throw();
  }
}

/** Reads and parses a JSON file; errors name the file.  Returns { file, text, json }. */
function readJSONFile(path) {
  const file = basename(path);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the file (${err.code ?? err.message})`, { file });
  }
  try {
    return { file, text, json: JSON.parse(text) };
  } catch (err) {
    throw new InputError(`not valid JSON (${err.message})`, { file });
  }
}

/**
 * Reads the catalog JSON.  The engine validates it in full (createEngine); here we only need
 * ids and publish times.  Returns { file, text, json, ids, index, published }.
 */
export function readCatalog(path) {
  const { file, text, json } = readJSONFile(path);
  if (!json || typeof json !== 'object' || !Array.isArray(json.items)) {
    throw new InputError('not an Attune catalog: expected { "version": 1, "items": [ … ] }', { file });
  }
  const n = json.items.length;
  const ids = new Array(n);
  const index = new Map();
  const published = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = json.items[i];
    if (!it || typeof it.id !== 'string') throw new InputError(`items[${i}]: id must be a string`, { file });
    if (index.has(it.id)) throw new InputError(`items[${i}]: id "${clip(it.id)}" appears twice`, { file });
    ids[i] = it.id;
    index.set(it.id, i);
    published[i] = typeof it.publishedAt === 'number' && Number.isFinite(it.publishedAt) ? it.publishedAt : -Infinity;
  }
  return { file, text, json, ids, index, published };
}

/** Reads an optional config JSON (the engine validates it when the first engine is created). */
export function readConfig(path) {
  if (!path) return {};
  const { file, json } = readJSONFile(path);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new InputError('expected a JSON object', { file });
  return json;
}

/**
 * The records of a CSV file; a malformed record (a stray or unclosed quote) joins the list of
 * problems, so it is reported with the others, and ends the reading.
 */
async function* records(path, file, problems) {
  try {
    yield* readCSV(path, { name: file });
  } catch (err) {
    if (!(err instanceof InputError) || !err.line) throw err;
    problems.add(err.line, err.detail);
  }
}

/** Growable typed columns. */
class Column {
  constructor(Type, cap = 1 << 16) {
    this.Type = Type;
    this.a = new Type(cap);
    this.n = 0;
  }

  push(v) {
    if (this.n === this.a.length) {
      const b = new this.Type(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }

  done() {
    return this.a.slice(0, this.n);
  }
}

/** FNV-1a over a string, as a fraction in [0, 1): a stable per-user coin for --user-fraction. */
export function userCoin(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/**
 * Streams the events CSV into columns, grouped by user and sorted by time (ties keep file
 * order).  Returns { users: string[], off: Int32Array (users+1), item: Int32Array,
 * time: Float64Array, type: Uint8Array, device: Int8Array, stats }.
 * @param {string} path
 * @param {{ index: Map<string, number> }} catalog
 * @param {{ strictItems?: boolean, userFraction?: number, onProgress?: (rows: number) => void }} [opts]
 */
export async function readEvents(path, catalog, opts = {}) {
  const file = basename(path);
  const problems = new Problems(file);
  const fraction = opts.userFraction ?? 1;
  const uid = new Column(Int32Array);
  const item = new Column(Int32Array);
  const time = new Column(Float64Array);
  const type = new Column(Uint8Array);
  const device = new Column(Int8Array);
  const userIndex = new Map();
  const users = [];
  const stats = { rows: 0, kept: 0, unknownItems: 0, unknownItemLines: [], unknownItemIds: new Set(),
    usersSampledOut: 0, eventsSampledOut: 0, hasDevice: false, hasType: false };
  const sampledOut = new Set();
  let cols = null;
  let width = 0;
  for await (const { line, fields } of records(path, file, problems)) {
    if (!cols) {
      cols = {};
      width = fields.length;
      fields.forEach((raw, i) => {
        const name = raw.toLowerCase();
        if (!EVENT_COLUMNS.includes(name)) {
          problems.add(line, `unknown column "${clip(raw)}" (the columns are ${EVENT_COLUMNS.join(', ')}; type and device are optional)`);
        } else if (cols[name] !== undefined) {
          problems.add(line, `column "${name}" appears twice`);
        } else {
          cols[name] = i;
        }
      });
      for (const name of REQUIRED) if (cols[name] === undefined) problems.add(line, `missing column "${name}" (the header must name user, item, timestamp[, type][, device])`);
      problems.done();
      stats.hasType = cols.type !== undefined;
      stats.hasDevice = cols.device !== undefined;
      continue;
    }
    stats.rows++;
    if (opts.onProgress && (stats.rows & 0xffff) === 0) opts.onProgress(stats.rows);
    if (fields.length !== width) {
      problems.add(line, `expected ${width} fields like the header, found ${fields.length}`);
      continue;
    }
    const user = fields[cols.user];
    const id = fields[cols.item];
    if (user === '') problems.add(line, 'empty user');
    if (id === '') problems.add(line, 'empty item');
    const ts = parseTimestamp(fields[cols.timestamp]);
    if (ts.error) problems.add(line, ts.error);
    let t = 1; /* click, when there is no type column */
    if (cols.type !== undefined) {
      t = EVENT_TYPES.indexOf(fields[cols.type].toLowerCase());
      if (t < 0) problems.add(line, `unknown type "${clip(fields[cols.type])}" (use ${EVENT_TYPES.join(', ')})`);
    }
    let d = -1;
    if (cols.device !== undefined && fields[cols.device] !== '') {
      d = DEVICES.indexOf(fields[cols.device].toLowerCase());
      if (d < 0) problems.add(line, `unknown device "${clip(fields[cols.device])}" (use ${DEVICES.join(', ')}, or leave it empty)`);
    }
    if (user === '' || id === '' || ts.error || t < 0 || (cols.device !== undefined && fields[cols.device] !== '' && d < 0)) continue;
    const idx = catalog.index.get(id);
    if (idx === undefined) {
      if (opts.strictItems) {
        problems.add(line, `item "${clip(id)}" is not in the catalog`);
        continue;
      }
      stats.unknownItems++;
      if (stats.unknownItemLines.length < 5) stats.unknownItemLines.push(line);
      if (stats.unknownItemIds.size < 10000) stats.unknownItemIds.add(id);
      continue;
    }
    let u = userIndex.get(user);
    if (u === undefined) {
      if (fraction < 1 && userCoin(user) >= fraction) {
        if (!sampledOut.has(user)) {
          sampledOut.add(user);
          stats.usersSampledOut++;
        }
        stats.eventsSampledOut++;
        continue;
      }
      u = users.length;
      users.push(user);
      userIndex.set(user, u);
    }
    uid.push(u);
    item.push(idx);
    time.push(ts.ms);
    type.push(t);
    device.push(d);
    stats.kept++;
  }
  if (!cols && !problems.list.length) problems.add(1, 'the file is empty (expected a header row: user,item,timestamp[,type][,device])');
  problems.done();
  stats.unknownItemIds = stats.unknownItemIds.size;
  return { users, userIndex, ...groupByUser(users.length, uid.done(), item.done(), time.done(), type.done(), device.done()), stats };
}

/** Counting sort by user, then by time within each user (stable). */
function groupByUser(nusers, uid, item, time, type, device) {
  const n = uid.length;
  const off = new Int32Array(nusers + 1);
  for (let i = 0; i < n; i++) off[uid[i] + 1]++;
  for (let u = 0; u < nusers; u++) off[u + 1] += off[u];
  const pos = off.slice(0, nusers);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[pos[uid[i]]++] = i;
  for (let u = 0; u < nusers; u++) {
    const a = off[u];
    const b = off[u + 1];
    let sorted = true;
    for (let i = a + 1; i < b && sorted; i++) if (time[order[i]] < time[order[i - 1]]) sorted = false;
    if (!sorted) {
      const part = Array.from(order.subarray(a, b)).sort((x, y) => time[x] - time[y] || x - y);
      order.set(part, a);
    }
  }
  const out = { off, item: new Int32Array(n), time: new Float64Array(n), type: new Uint8Array(n), device: new Int8Array(n) };
  for (let i = 0; i < n; i++) {
    const j = order[i];
    out.item[i] = item[j];
    out.time[i] = time[j];
    out.type[i] = type[j];
    out.device[i] = device[j];
  }
  return out;
}

/**
 * The user of a data row of a per-user CSV (traits, groups), or null with the problem noted:
 * a row whose field count differs from the header's, an empty user, or a user listed before
 * (`seenAt` maps users to the line they were first on).
 */
function userOf(fields, names, userCol, line, seenAt, problems) {
  if (fields.length !== names.length) {
    problems.add(line, `expected ${names.length} fields like the header, found ${fields.length}`);
    return null;
  }
  const user = fields[userCol];
  if (user === '') {
    problems.add(line, 'empty user');
    return null;
  }
  if (seenAt.has(user)) {
    problems.add(line, `user "${clip(user)}" is listed twice (first on line ${seenAt.get(user)})`);
    return null;
  }
  seenAt.set(user, line);
  return user;
}

/**
 * Reads the traits CSV: `user,<trait>,…`.  Every trait must be declared in config.traits and
 * every non-empty value must be one of its declared values (an empty cell leaves the trait
 * unset).  Returns { byUser: Map<string, object>, stats }.
 * @param {string} path
 * @param {Record<string, string[]>} declared config.traits
 */
export async function readTraits(path, declared = {}) {
  const file = basename(path);
  const problems = new Problems(file);
  const byUser = new Map();
  const seenAt = new Map();
  let names = null;
  let userCol = -1;
  for await (const { line, fields } of records(path, file, problems)) {
    if (!names) {
      names = fields.map((f) => f);
      userCol = names.findIndex((f) => f.toLowerCase() === 'user');
      if (userCol < 0) problems.add(line, 'missing column "user" (the header must be user,<trait>,…)');
      const dup = new Set();
      names.forEach((name, i) => {
        if (i === userCol) return;
        if (name === 'usage') problems.add(line, 'column "usage": the engine derives usage itself from activity; leave it out');
        else if (!Object.hasOwn(declared, name)) {
          const known = Object.keys(declared);
          problems.add(line, `unknown column "${clip(name)}": not a trait declared in config.traits (${known.length ? `declared: ${known.join(', ')}` : 'no traits are declared; pass --config with config.traits'})`);
        }
        if (dup.has(name)) problems.add(line, `column "${clip(name)}" appears twice`);
        dup.add(name);
      });
      problems.done();
      continue;
    }
    const user = userOf(fields, names, userCol, line, seenAt, problems);
    if (user === null) continue;
    const traits = {};
    let ok = true;
    names.forEach((name, i) => {
      if (i === userCol) return;
      const v = fields[i];
      if (v === '') return;
      if (!declared[name].includes(v)) {
        problems.add(line, `value "${clip(v)}" of trait "${name}" is not declared in config.traits.${name} (${declared[name].join(', ')})`);
        ok = false;
      } else {
        traits[name] = v;
      }
    });
    if (ok) byUser.set(user, traits);
  }
  if (!names && !problems.list.length) problems.add(1, 'the file is empty (expected a header row: user,<trait>,…)');
  problems.done();
  return { byUser, stats: { rows: seenAt.size } };
}

/** At most this many groups in a groups file: each gets its own tables in the report. */
export const MAX_GROUPS = 12;

/**
 * Reads the groups CSV: `user,group`, one row per user, a label per user (an empty label leaves
 * the user in no group).  The report gives each group's leave-last-out metrics beside the
 * whole population's; the synthetic population writes one (groups.csv).  Returns
 * { byUser: Map<string, string>, labels: string[] (sorted), stats }.
 * @param {string} path
 */
export async function readGroups(path) {
  const file = basename(path);
  const problems = new Problems(file);
  const byUser = new Map();
  const seenAt = new Map();
  const labels = [];
  let names = null;
  let userCol = -1;
  let groupCol = -1;
  for await (const { line, fields } of records(path, file, problems)) {
    if (!names) {
      names = fields;
      userCol = names.findIndex((f) => f.toLowerCase() === 'user');
      groupCol = names.findIndex((f) => f.toLowerCase() === 'group');
      if (userCol < 0 || groupCol < 0) problems.add(line, 'the header must name the columns user and group (user,group)');
      names.forEach((name, i) => {
        if (i !== userCol && i !== groupCol) problems.add(line, `unknown column "${clip(name)}" (a groups file has the columns user and group)`);
      });
      problems.done();
      continue;
    }
    const user = userOf(fields, names, userCol, line, seenAt, problems);
    if (user === null) continue;
    const group = fields[groupCol];
    if (group === '') continue;
    if (group.length > 64) {
      problems.add(line, `group "${clip(group)}" is longer than 64 characters`);
      continue;
    }
    if (!labels.includes(group)) {
      if (labels.length === MAX_GROUPS) {
        problems.add(line, `more than ${MAX_GROUPS} groups (the report has tables for each): merge some`);
        continue;
      }
      labels.push(group);
    }
    byUser.set(user, group);
  }
  if (!names && !problems.list.length) problems.add(1, 'the file is empty (expected a header row: user,group)');
  problems.done();
  return { byUser, labels: labels.sort(), stats: { rows: seenAt.size } };
}
