/**
 * The engine a page gets when attune.wasm cannot be fetched, compiled or instantiated (a network
 * failure, an old browser, a CSP without 'wasm-unsafe-eval'): it ranks by popularity and
 * catalog order — level `none` — stores nothing and sends nothing, so the page keeps showing
 * content.  `degraded` and `degradedReason` say why; the cause was emitted as an 'error'.
 */
import { AttuneError, JS_CODES, badArgument, describe } from './errors.js';
import { isPacked } from './pack.js';
import { Listeners } from './listeners.js';

const decoder = new TextDecoder();
const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];

/** The few fields ranking by popularity needs, from a packed catalog (see src/catalog.h). */
function unpack(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 16;
  const n = v.getUint32(o, true);
  const dim = v.getUint32(o + 4, true);
  const nstr = v.getUint32(o + 8, true);
  o += 12;
  const strings = new Array(nstr);
  for (let i = 0; i < nstr; i++) {
    const len = v.getUint16(o, true);
    strings[i] = decoder.decode(bytes.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  const items = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = strings[v.getUint32(o, true)];
    const ntags = bytes[o + 4];
    const tags = [];
    for (let k = 0; k < ntags; k++) tags.push(strings[v.getUint32(o + 5 + 4 * k, true)]);
    o += 5 + 4 * ntags;
    const cat = v.getUint32(o, true);
    const title = v.getUint32(o + 4, true);
    const popularity = v.getFloat64(o + 8, true);
    o += 24;
    o += 1 + (bytes[o] ? 4 * dim : 0);
    o += 1 + 8 * bytes[o];
    items[i] = { id, tags, category: cat === 0xffffffff ? undefined : strings[cat],
      title: title === 0xffffffff ? undefined : strings[title], popularity: Number.isNaN(popularity) ? 0 : popularity };
  }
  return items;
}

/** The catalog's items from what readCatalog produced (packed bytes or JSON text). */
function itemsOf(source) {
  try {
    if (source instanceof Uint8Array && isPacked(source)) return unpack(source);
    const parsed = JSON.parse(typeof source === 'string' ? source : decoder.decode(source));
    return Array.isArray(parsed?.items) ? parsed.items.filter((it) => it && typeof it.id === 'string') : [];
  } catch {
    return [];
  }
}

export class FallbackEngine {
  #items;
  #order;
  #listeners = new Listeners();
  #defaultSegment;
  #wPop;
  #closed = false;

  constructor(source, config, cause) {
    this.degraded = true;
    this.degradedReason = cause;
    this.#items = itemsOf(source);
    const cfg = typeof config === 'string' ? safeParse(config) : config ?? {};
    this.#defaultSegment = typeof cfg.defaultSegment === 'string' ? cfg.defaultSegment : 'general';
    this.#wPop = typeof cfg.ranking?.weights?.popularity === 'number' ? cfg.ranking.weights.popularity : 0.3;
    const max = Math.max(0, ...this.#items.map((it) => (typeof it.popularity === 'number' ? it.popularity : 0)));
    this.#order = this.#items
      .map((it, i) => ({ it, i, score: max > 0 ? this.#wPop * Math.log1p(Math.max(0, it.popularity || 0)) / Math.log1p(max) : 0 }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    this.catalogInfo = { items: this.#items.length, tags: 0, categories: 0, dim: 0, droppedNeighbors: 0, bytes: 0, rankingBytes: 0 };
    this.config = { privacyLevel: 'none', maxPrivacyLevel: 'none', defaultSegment: this.#defaultSegment };
  }

  get level() {
    return 'none';
  }

  #live() {
    if (this.#closed) throw new AttuneError(JS_CODES.CLOSED, 'this engine is closed; create a new one');
  }

  /** Tells 'error' listeners (a listener's own failure is ignored: the page must go on). */
  emitError(err) {
    this.#listeners.emit('error', err);
  }

  #unavailable(what) {
    this.emitError(new AttuneError(JS_CODES.WASM, `${what}: personalization is unavailable (${this.degradedReason}); ` +
      'the page is shown in the site\'s order and nothing is stored'));
  }

  recommend(options = {}) {
    this.#live();
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw badArgument(`recommend: expected an options object, got ${describe(options)}`);
    }
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0 || k > 1000) throw badArgument('recommend: k must be a whole number from 0 to 1000');
    const exclude = new Set(options.exclude ?? []);
    const tags = options.filter?.tags;
    const cats = options.filter?.categories;
    const out = [];
    for (const { it, score } of this.#order) {
      if (out.length >= k) break;
      if (exclude.has(it.id)) continue;
      if (tags && !(it.tags ?? []).some((t) => tags.includes(t))) continue;
      if (cats && !cats.includes(it.category)) continue;
      out.push({ id: it.id, score, reasons: [score > 0 ? 'Popular on this site' : "In the site's order"] });
    }
    return out;
  }

  explain(itemId) {
    this.#live();
    const found = this.#order.findIndex((x) => x.it.id === itemId);
    if (found < 0) throw new AttuneError('unknown_item', `explain: item ${describe(itemId)} is not in the catalog`);
    const { score } = this.#order[found];
    return { id: itemId, score, level: 'none', segment: null, rank: found + 1, excluded: null, editorial: null,
      contributions: score > 0 ? [{ signal: 'popularity', level: 'none', weight: score, reason: 'Popular on this site' }] : [] };
  }

  segment() {
    this.#live();
    return this.#defaultSegment;
  }

  serverPayload() {
    this.#live();
    return null;
  }

  inventory() {
    this.#live();
    return [];
  }

  metrics() {
    this.#live();
    const zero = { impressions: 0, clicks: 0, ctr: null };
    return { since: null, levels: Object.fromEntries(LEVELS.map((l) => [l, { ...zero, positions: [] }])), total: zero,
      counterfactual: { impressions: 0, greedyCtrEstimate: null, exploredShown: 0, exploredClicked: 0, exploredCtr: null } };
  }

  privacyReport() {
    this.#live();
    return { level: 'none', maxLevel: 'none', leavesDevice: 'nothing', storedByLevel: [], degraded: this.degradedReason };
  }

  /* calls that would store something: nothing is stored, and listeners hear why */
  async setTraits() { this.#live(); }
  async track() { this.#live(); }
  async shown() { this.#live(); }
  async block() { this.#live(); this.#unavailable('block'); }
  async unblock() { this.#live(); }
  async setPrivacyLevel(level) {
    this.#live();
    if (!LEVELS.includes(level)) throw badArgument(`setPrivacyLevel: expected one of ${LEVELS.join(', ')}, got ${describe(level)}`);
    if (level !== 'none') this.#unavailable('setPrivacyLevel');
  }
  async export() {
    this.#live();
    return { format: 'attune-profile', version: 2, level: 'none', history: [] };
  }
  async import() { this.#live(); this.#unavailable('import'); }
  async forget() { this.#live(); }
  async flush() {}

  on(name, fn) {
    return this.#listeners.on(name, fn);
  }

  close() {
    this.#closed = true;
  }
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
