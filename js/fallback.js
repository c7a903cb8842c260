/**
 * The engine a page gets when attune.wasm cannot be fetched, compiled or instantiated (a network
 * failure, an old browser, a CSP without 'wasm-unsafe-eval'): it ranks by popularity and
 * catalog order — level `none` — stores nothing and sends nothing, so the page keeps showing
 * content.  It refuses the arguments the wasm engine refuses (the same checks, args.js), and
 * a profile stored on an earlier visit is still deleted by forget() and setPrivacyLevel('none').
 * `degraded` and `degradedReason` say why; the cause was emitted as an 'error'.
 */
import { AttuneError, JS_CODES, asStorageError } from './errors.js';
import {
  callRules, clockTime, contextOf, recommendOptions, eventOf, shownIds, traitsJSON, levelIndex, blockTarget, importJSON,
  checkKey, LIMITS, LEVELS,
} from './args.js';
import { isPacked } from './pack.js';
import { Listeners } from './listeners.js';

const decoder = new TextDecoder();

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
  #rank; /* id -> place in #order */
  #tags;
  #listeners = new Listeners();
  #defaultSegment;
  #wPop;
  #rules;
  #storage;
  #profileId;
  #now;
  #removing = Promise.resolve(); /* deletions of the stored profile, one at a time */
  #closed = false;

  /**
   * @param {string | Uint8Array} source the catalog as readCatalog produced it
   * @param {object | string | undefined} config the site's configuration, as given
   * @param {string} cause why the wasm engine is not running
   * @param {{ storage: { remove(id: string): Promise<unknown>, close?(): void }, profileId: string, now: () => number }} o
   *   where a profile stored on an earlier visit is, and the clock
   */
  constructor(source, config, cause, { storage, profileId, now }) {
    this.degraded = true;
    this.degradedReason = cause;
    this.#storage = storage;
    this.#profileId = profileId;
    this.#now = now;
    this.#items = itemsOf(source);
    this.#tags = new Set(this.#items.flatMap((it) => (Array.isArray(it.tags) ? it.tags : [])));
    const cfg = typeof config === 'string' ? safeParse(config) : config ?? {};
    this.#rules = callRules(cfg);
    this.#defaultSegment = typeof cfg.defaultSegment === 'string' ? cfg.defaultSegment : 'general';
    this.#wPop = typeof cfg.ranking?.weights?.popularity === 'number' ? cfg.ranking.weights.popularity : 0.3;
    const max = Math.max(0, ...this.#items.map((it) => (typeof it.popularity === 'number' ? it.popularity : 0)));
    this.#order = this.#items
      .map((it, i) => ({ it, i, score: max > 0 ? this.#wPop * Math.log1p(Math.max(0, it.popularity || 0)) / Math.log1p(max) : 0 }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    this.#rank = new Map(this.#order.map((x, r) => [x.it.id, r]));
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

  /** The catalog check the wasm engine's core makes after the shared ones: the id's place. */
  #position(id, what) {
    const r = this.#rank.get(id);
    if (r === undefined) throw new AttuneError('unknown_item', `${what} ${JSON.stringify(id)} is not in the catalog`);
    return r;
  }

  /**
   * Deletes the profile an earlier visit stored.  Resolves once done or failed; a failure goes
   * to 'error' listeners (the next forget() or setPrivacyLevel('none') tries again).
   */
  #remove(what) {
    this.#removing = this.#removing.then(() => this.#storage.remove(this.#profileId)).then(() => {}, (err) =>
      this.emitError(asStorageError(err, `${what}: could not delete the stored profile`)));
    this.#listeners.emit('change', { reason: what === 'forget' ? 'forget' : 'level', level: 'none' });
    return this.#removing;
  }

  recommend(options) {
    this.#live();
    const { k = 10, exclude = [], filter = {} } = recommendOptions(options, this.#rules, clockTime(this.#now));
    const skip = new Set(exclude);
    const { tags, categories } = filter;
    const out = [];
    for (const { it, score } of this.#order) {
      if (out.length >= k) break;
      if (skip.has(it.id)) continue;
      if (tags && !(Array.isArray(it.tags) ? it.tags : []).some((t) => tags.includes(t))) continue;
      if (categories && !categories.includes(it.category)) continue;
      out.push({ id: it.id, score, reasons: [score > 0 ? 'Popular on this site' : "In the site's order"] });
    }
    return out;
  }

  explain(itemId, context) {
    this.#live();
    const now = clockTime(this.#now);
    checkKey(itemId, LIMITS.idBytes, 'explain: item');
    contextOf(context, 'explain', this.#rules, now);
    const rank = this.#position(itemId, 'explain: item');
    const { score } = this.#order[rank];
    return { id: itemId, score, level: 'none', segment: null, rank: rank + 1, excluded: null, editorial: null,
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

  /* calls that would store something: checked as the engine checks them, then nothing is stored */
  async setTraits(traits) {
    this.#live();
    traitsJSON(traits, this.#rules);
  }

  async track(event, context) {
    this.#live();
    const now = clockTime(this.#now);
    const { item } = eventOf(event, this.#rules, now);
    contextOf(context, 'track', this.#rules, now);
    this.#position(item, 'track: item');
  }

  async shown(items, context) {
    this.#live();
    const now = clockTime(this.#now);
    const ids = shownIds(items);
    contextOf(context, 'shown', this.#rules, now);
    for (const id of ids) this.#position(id, 'shown: item');
  }

  async block(target) {
    this.#live();
    this.#checkTarget(target, 'block');
    this.#unavailable('block');
  }

  async unblock(target) {
    this.#live();
    this.#checkTarget(target, 'unblock');
  }

  #checkTarget(target, what) {
    const { kind, key } = blockTarget(target, what);
    if (kind) this.#position(key, `${what}: item`);
    else if (!this.#tags.has(key)) throw new AttuneError(JS_CODES.ARG, `${what}: tag ${JSON.stringify(key)} is not used in the catalog`);
  }

  async setPrivacyLevel(level) {
    this.#live();
    if (levelIndex(level, this.#rules) > 0) this.#unavailable('setPrivacyLevel');
    else await this.#remove('setPrivacyLevel');
  }

  async export() {
    this.#live();
    return { format: 'attune-profile', version: 2, level: 'none', history: [] };
  }

  async import(data) {
    this.#live();
    importJSON(data);
    this.#unavailable('import');
  }

  /** Deletes the profile an earlier visit may have stored; nothing else is kept. */
  async forget() {
    this.#live();
    await this.#remove('forget');
  }

  /** Resolves once a deletion under way is done (or failed, and was reported). */
  flush() {
    return this.#removing;
  }

  on(name, fn) {
    return this.#listeners.on(name, fn);
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#removing.finally(() => this.#storage.close?.());
  }
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
