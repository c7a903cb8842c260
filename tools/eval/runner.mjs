/**
 * Replays users' histories through the public engine (createEngine from js/node.js) and ranks
 * at the held-out points.  One engine per (level, tuning variant), reused for every user:
 * `forget()` wipes the profile between users.  The clock is injected: each event is tracked
 * with `at` = its time and `now` = its time; a recommendation is asked at the held-out
 * event's time, with the context (hour, weekday, device) that event had.
 *
 * The candidate set of a held-out event is every catalog item already published at its time
 * (no publishedAt: always) that the user has not interacted with before it (any event but an
 * impression).  It is passed to the engine as `exclude` (the engine's own excludeSeen does the
 * same for what it remembers), so the ranking is the product's ranking over those items.
 * Exclusions beyond the engine's limit (10 000 per call) are filtered from what it returns; a
 * list that still comes back shorter than asked (that filter, or the engine's own caps such as
 * ranking.maxPerCategory) is asked again at the engine's maximum k and, if still short, flagged
 * so that the report can say how many rankings were cut.
 *
 * Used in-process (--jobs 1) and from worker.mjs; the results do not depend on how users are
 * split between workers.
 */
import { createEngine, MemoryStorage } from '../../js/node.js';
import { prng } from '../../scripts/gen-catalog.mjs';
import { TYPE_IMPRESSION, DEVICES } from './data.mjs';
import { sampledRank } from './metrics.mjs';

export const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];
/** How a ranked list fell short (rank()'s `short`). */
export const SHORT_NONE = 0;
export const SHORT_LIST = 1;
export const SHORT_TOP_K = 2;
const MAX_K = 1000;
const MAX_EXCLUDE = 10000;
const PROFILE = 'default';

/** Sets a dotted path (`ranking.weights.popularity`) in a copy of `config`. */
export function withSetting(config, path, value) {
  const out = structuredClone(config);
  const keys = path.split('.');
  let cur = out;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined || cur[k] === null) cur[k] = {};
    else if (typeof cur[k] !== 'object' || Array.isArray(cur[k])) throw new Error(`--tune ${path}: ${k} is not an object in the config`);
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = value;
  return out;
}

/** The engine config of one level and variant. */
export function engineConfig(base, level, tune, value) {
  let cfg = { ...base, privacyLevel: level, maxPrivacyLevel: 'individual' };
  if (tune) cfg = withSetting(cfg, tune.path, value);
  return cfg;
}

/** { hour, weekday, device? } of a time (shifted by utcOffset minutes). */
export function contextOf(t, device, utcOffsetMin = 0) {
  const d = new Date(t + utcOffsetMin * 60000);
  const ctx = { hour: d.getUTCHours(), weekday: d.getUTCDay() };
  if (device >= 0) ctx.device = DEVICES[device];
  return ctx;
}

/**
 * A runner over one shard of users.
 * shard: { n, off, item, time, type, device, traits: (object|null)[], plan: Int32Array (4 per
 * user: tune, test, tsEnd, tsTarget; -1 = none), first: global index of the shard's first user }
 */
export class Runner {
  /**
   * @param {{ catalogText: string, ids: string[], published: Float64Array, config: object,
   *   levels: string[], tune: { path: string, values: any[] } | null, k: number, sampled: number,
   *   seed: number, utcOffset: number }} setup
   */
  constructor(setup) {
    this.s = setup;
    this.engines = new Map(); /* `${level}|${variant}` -> { engine, clock, storage } */
    const n = setup.ids.length;
    /* items in publish order, to find the not-yet-published ones by binary search */
    this.byPub = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => setup.published[a] - setup.published[b]);
    this.pubSorted = Float64Array.from(this.byPub, (i) => setup.published[i]);
    this.index = new Map(setup.ids.map((id, i) => [id, i]));
  }

  get variants() {
    return this.s.tune ? this.s.tune.values.length : 1;
  }

  async engine(level, v) {
    const key = `${level}|${v}`;
    let e = this.engines.get(key);
    if (!e) {
      const clock = { t: 0 };
      const storage = new MemoryStorage();
      const cfg = engineConfig(this.s.config, level, this.s.tune, this.s.tune?.values[v]);
      const engine = await createEngine({
        catalog: this.s.catalogText, config: cfg, storage, now: () => clock.t,
        random: prng(this.s.seed ^ 0x5eed), saveDelayMs: 60000,
      });
      e = { engine, clock, storage, level };
      this.engines.set(key, e);
    }
    return e;
  }

  close() {
    for (const { engine } of this.engines.values()) engine.close();
    this.engines.clear();
  }

  /** Items published after time t (item indices). */
  future(t) {
    let lo = 0;
    let hi = this.pubSorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.pubSorted[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return this.byPub.subarray(lo);
  }

  /** Starts a user on an engine: an empty profile, then the user's traits. */
  async begin(e, shard, u, t0) {
    await e.engine.forget();
    if (e.engine.level !== e.level) throw new Error(`after forget() the engine is at level ${e.engine.level}, not ${e.level}`);
    e.clock.t = t0;
    const traits = shard.traits[u];
    if (traits && e.level !== 'none') await e.engine.setTraits(traits);
  }

  /** Tracks events [from, to) of the shard. */
  async track(e, shard, from, to) {
    const { item, time, type, device } = shard;
    const ids = this.s.ids;
    for (let i = from; i < to; i++) {
      const t = time[i];
      e.clock.t = t;
      try {
        await e.engine.track({ item: ids[item[i]], type: TYPE_NAMES[type[i]], at: t }, contextOf(t, device[i], this.s.utcOffset));
      } catch (err) {
        const u = shard.off.findIndex((o, j) => o <= i && i < shard.off[j + 1]);
        throw new Error(`the engine (level ${e.level}) refused an event of user "${shard.names[u]}" ` +
          `(${TYPE_NAMES[type[i]]} of ${ids[item[i]]} at ${new Date(t).toISOString()}): ${err.message}`, { cause: err });
      }
    }
  }

  /**
   * Ranks the candidates of held-out event `ti` (user u starts at event `a`): the top k when
   * `full` is false, else as many as the engine returns (at most 1000).  Returns { rank
   * (1-based or null), list (item indices, best first), candidates (count), excluded (item
   * indices), target, short }: `short` is SHORT_NONE, or SHORT_LIST when the list holds fewer
   * items than asked but at least the top k, or SHORT_TOP_K when it holds fewer than
   * min(k, candidates) — then HR@k and NDCG@k are cut too, not only MRR.
   */
  async rank(e, shard, u, a, ti, full) {
    const { item, time, type, device } = shard;
    const ids = this.s.ids;
    const t = time[ti];
    const target = item[ti];
    const excluded = new Set();
    for (let i = a; i < ti; i++) if (type[i] !== TYPE_IMPRESSION) excluded.add(item[i]);
    for (const f of this.future(t)) excluded.add(f);
    excluded.delete(target); /* published "later" than it was used: keep it a candidate (evaluate counts these once) */
    const n = ids.length;
    const candidates = n - excluded.size;
    const exclude = [];
    for (const x of excluded) {
      if (exclude.length === MAX_EXCLUDE) break;
      exclude.push(ids[x]);
    }
    const over = excluded.size - exclude.length; /* left for the filter below */
    const want = full ? Math.min(MAX_K, candidates) : Math.min(this.s.k, candidates);
    e.clock.t = t;
    const traits = shard.traits[u];
    if (traits && e.level !== 'none') await e.engine.setTraits(traits); /* a visit re-declares them (retention) */
    /* the exploration draw (individual level) is seeded per user and held-out event, so results
       do not depend on how users are split between workers or on the order they run in */
    const seed = mix(this.s.seed, shard.first + u, ti - a);
    const context = contextOf(t, device[ti], this.s.utcOffset);
    const ranked = (k) => {
      const list = [];
      for (const r of e.engine.recommend({ k, exclude, context, seed })) {
        const idx = this.index.get(r.id);
        if (over > 0 && excluded.has(idx)) continue;
        list.push(idx);
        if (list.length === want) break;
      }
      return list;
    };
    const k = Math.min(MAX_K, want + over);
    let list = ranked(k);
    if (list.length < want && k < MAX_K) list = ranked(MAX_K);
    const short = list.length >= want ? SHORT_NONE : list.length < Math.min(this.s.k, want) ? SHORT_TOP_K : SHORT_LIST;
    const pos = list.indexOf(target);
    return { rank: pos < 0 ? null : pos + 1, list, candidates, excluded, target, short };
  }

  /** What the profile holds now: data points (inventory counts of stored kinds) and snapshot bytes. */
  async privacy(e) {
    await e.engine.flush();
    const bytes = e.storage.peek(PROFILE)?.length ?? 0;
    const rows = e.engine.inventory();
    let points = 0;
    const byKey = {};
    for (const r of rows) {
      if (!r.stored) continue;
      points += r.count;
      byKey[r.key] = r.count;
    }
    const leaves = rows.filter((r) => r.leavesDevice).map((r) => r.key);
    return { points, bytes, byKey, leaves };
  }

  /**
   * Pass 1: for every user, level and variant, replay up to the tuning event and rank it
   * (top k only).  Returns { ranks, short }, each keyed by `${level}|${v}`: ranks an Int32Array
   * per user (0 = not in the top k; -1 = user not in the leave-last-out protocol), short the
   * number of those rankings that came back with fewer than min(k, candidates) items.
   */
  async tune(shard, onUser) {
    const ranks = {};
    const short = {};
    for (const level of this.s.levels) {
      for (let v = 0; v < this.variants; v++) {
        ranks[`${level}|${v}`] = new Int32Array(shard.n).fill(-1);
        short[`${level}|${v}`] = 0;
      }
    }
    for (let u = 0; u < shard.n; u++) {
      const a = shard.off[u];
      const tuneIdx = shard.plan[4 * u];
      if (tuneIdx >= 0) {
        for (const level of this.s.levels) {
          for (let v = 0; v < this.variants; v++) {
            const e = await this.engine(level, v);
            await this.begin(e, shard, u, shard.time[a]);
            await this.track(e, shard, a, a + tuneIdx);
            const r = await this.rank(e, shard, u, a, a + tuneIdx, false);
            ranks[`${level}|${v}`][u] = r.rank ?? 0;
            if (r.short !== SHORT_NONE) short[`${level}|${v}`]++;
          }
        }
      }
      onUser?.();
    }
    return { ranks, short };
  }

  /**
   * Pass 2: per level, the chosen variant replays up to the test event (leave-last-out), the
   * stored profile is measured, and the full candidate list is ranked; the configured variant
   * replays the history before the global split and ranks its first new item after it.
   * Per level and user: ranks, top-k lists, privacy costs, candidates, the sampled-negatives
   * rank and how many negatives it had (-1 = not measured), and looShort/tsShort (a SHORT_*).
   * @param {Record<string, number>} chosen level -> variant for leave-last-out
   * @param {number} baseVariant the variant equal to the site's configuration
   */
  async test(shard, chosen, baseVariant, onUser) {
    const topK = this.s.k;
    const res = {};
    for (const level of this.s.levels) {
      res[level] = {
        looRank: new Int32Array(shard.n).fill(-1), looSampled: new Float64Array(shard.n).fill(-1),
        looNegatives: new Int32Array(shard.n).fill(-1), looShort: new Uint8Array(shard.n), tsShort: new Uint8Array(shard.n),
        looTop: new Int32Array(shard.n * topK).fill(-1), points: new Float64Array(shard.n).fill(-1),
        bytes: new Float64Array(shard.n).fill(-1), byKey: {}, leaves: null, candidates: new Float64Array(shard.n),
        tsRank: new Int32Array(shard.n).fill(-1), tsTop: new Int32Array(shard.n * topK).fill(-1),
      };
    }
    for (let u = 0; u < shard.n; u++) {
      const a = shard.off[u];
      const [, testIdx, tsEnd, tsTarget] = shard.plan.subarray(4 * u, 4 * u + 4);
      for (const level of this.s.levels) {
        const R = res[level];
        if (testIdx >= 0) {
          const e = await this.engine(level, chosen[level]);
          await this.begin(e, shard, u, shard.time[a]);
          await this.track(e, shard, a, a + testIdx);
          const p = await this.privacy(e);
          R.points[u] = p.points;
          R.bytes[u] = p.bytes;
          for (const [key, c] of Object.entries(p.byKey)) (R.byKey[key] ??= []).push(c);
          R.leaves ??= p.leaves;
          const r = await this.rank(e, shard, u, a, a + testIdx, true);
          R.looRank[u] = r.rank ?? 0;
          R.candidates[u] = r.candidates;
          R.looShort[u] = r.short;
          for (let j = 0; j < Math.min(topK, r.list.length); j++) R.looTop[u * topK + j] = r.list[j];
          if (this.s.sampled > 0) {
            const sr = this.sampled(shard.first + u, r);
            R.looSampled[u] = sr.rank;
            R.looNegatives[u] = sr.negatives;
          }
        }
        if (tsTarget >= 0) {
          const e = await this.engine(level, baseVariant);
          await this.begin(e, shard, u, shard.time[a]);
          await this.track(e, shard, a, a + tsEnd);
          const r = await this.rank(e, shard, u, a, a + tsTarget, true);
          R.tsRank[u] = r.rank ?? 0;
          R.tsShort[u] = r.short;
          for (let j = 0; j < Math.min(topK, r.list.length); j++) R.tsTop[u * topK + j] = r.list[j];
        }
      }
      onUser?.();
    }
    return res;
  }

  /**
   * The held-out item's rank among `sampled` negatives drawn uniformly without replacement from
   * its other candidates (`r` as rank() returns it).  Returns { rank, negatives }: negatives is
   * how many were drawn, fewer than `sampled` only when the user has fewer other candidates.
   * Draws by rejection while that is cheap; when the candidates are a small share of the
   * catalog and rejection stalls, the rest are drawn from the enumerated remaining candidates,
   * so the count never falls short by chance.
   */
  sampled(globalUser, r) {
    const rand = prng((this.s.seed * 0x9e3779b1 + globalUser * 0x85ebca6b) >>> 0);
    const n = this.s.ids.length;
    const target = r.target;
    const negatives = [];
    const want = Math.min(this.s.sampled, r.candidates - 1);
    const picked = new Set();
    const usable = (x) => !picked.has(x) && !r.excluded.has(x) && x !== target;
    let guard = 0;
    while (negatives.length < want && guard++ < want * 50) {
      const x = Math.floor(rand() * n);
      if (!usable(x)) continue;
      picked.add(x);
      negatives.push(x);
    }
    if (negatives.length < want) {
      const rest = [];
      for (let x = 0; x < n; x++) if (usable(x)) rest.push(x);
      for (let i = 0; negatives.length < want; i++) { /* partial Fisher–Yates */
        const j = i + Math.floor(rand() * (rest.length - i));
        [rest[i], rest[j]] = [rest[j], rest[i]];
        negatives.push(rest[i]);
      }
    }
    const position = new Map(r.list.map((x, i) => [x, i]));
    return { rank: sampledRank(r.rank === null ? null : r.rank - 1, negatives, position), negatives: negatives.length };
  }
}

/** A 53-bit seed from three integers (splitmix-style mixing). */
function mix(a, b, c) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c + 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) * 2048 + (b & 0x7ff);
}

const TYPE_NAMES = ['view', 'click', 'like', 'share', 'purchase', 'dismiss', 'impression'];
