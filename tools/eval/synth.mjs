#!/usr/bin/env node
/**
 * A synthetic population for attune-eval: a documented generative model (tools/eval/README.md,
 * "The synthetic population") with planted structure — segments that share tastes, users with
 * individual latent tastes in the catalog's vector space, time-of-day and device effects,
 * popularity, freshness and noise, and a share of users whose own tastes depend on the time of
 * day.  Every parameter is a flag; the seed is fixed.  It writes events.csv, traits.csv,
 * groups.csv (which users have daypart-dependent tastes), config.json, params.json and (unless
 * --catalog is given) catalog.json.
 *
 * It exists so tests can assert orderings and the evaluator has data in CI.  It is not
 * evidence about real users: the lifts measured on it are lifts on structure we planted.
 *
 *   node tools/eval/synth.mjs --out build/eval/data [--users 1200] [--items 400] [--days 28] …
 *   node tools/eval/synth.mjs --help
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCatalog, prng } from '../../scripts/gen-catalog.mjs';

const DAY = 86_400_000;
const DAYPARTS = ['morning', 'afternoon', 'evening', 'night'];
const DAYPART_HOURS = { morning: [5, 12], afternoon: [12, 17], evening: [17, 22], night: [22, 29] };
const DEVICES = ['mobile', 'tablet', 'desktop'];

/** The parameters, their defaults and what they mean (also the --help text). */
export const PARAMS = {
  users: [1000, 'number of users'],
  items: [400, 'catalog size (when the catalog is generated)'],
  dim: [16, 'item vector dimension (generated catalog)'],
  days: [28, 'days of activity, ending at --end'],
  end: ['2026-03-02T00:00:00Z', 'end of the simulated period (ISO-8601 or ms); the catalog is generated as of then'],
  seed: [42, 'seed of the population (the catalog uses --catalog-seed)'],
  catalogSeed: [7, 'seed of the generated catalog'],
  segments: [6, 'number of segments (shared tastes); each favours one main and one second category'],
  segmentShare: [0.6, 'weight of the segment\'s taste in a user\'s taste vector (the rest is individual)'],
  sessions: [7, 'mean sessions per user (log-normal spread across users)'],
  perSession: [3, 'mean events per session'],
  taste: [3, 'utility weight of taste: user vector · item vector'],
  tags: [1, 'utility weight of each of the user\'s favourite tags an item carries (2 topic tags, 1 format tag)'],
  context: [0.8, 'utility weight of the daypart and device effects on categories'],
  popularity: [1.5, 'utility weight of log popularity (normalised to 0..1)'],
  freshness: [1.5, 'utility weight of freshness, 2^(-age / halfLife)'],
  halfLife: [3, 'freshness half-life in days'],
  noise: [1, 'scale of the Gumbel noise on utilities (choice = softmax of utility / noise)'],
  daypartLoyalty: [0.7, 'chance a session is in the user\'s usual daypart'],
  deviceLoyalty: [0.85, 'chance a session is on the user\'s usual device'],
  contextUsers: [0.3, 'share of users whose own tastes depend on the daypart (group context-dependent in groups.csv)'],
  contextTaste: [5, 'utility weight of a context-dependent user\'s own category for the session\'s daypart'],
  traitNoise: [0.2, 'chance the declared interest trait names a wrong segment'],
  traitMissing: [0.1, 'chance a user declared no interest'],
  repeat: [0.05, 'chance an event re-views an item the user already saw'],
  dismiss: [0.05, 'chance per session of dismissing a poor match'],
  segmentBoost: [0.6, 'boost the written config gives a segment\'s main category (half for the second)'],
};

const camel = (flag) => flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Effects of the context on categories (added to the utility, times --context). */
export const CONTEXT_EFFECTS = {
  daypart: {
    morning: { world: 1, business: 1, culture: -0.5 },
    afternoon: { tech: 1, science: 0.5 },
    evening: { sport: 1, culture: 1, business: -0.5 },
    night: { culture: 0.5, health: 1, world: -0.5 },
  },
  device: {
    mobile: { sport: 1, culture: 0.5, business: -0.5 },
    tablet: { culture: 1, health: 0.5 },
    desktop: { tech: 0.5, business: 1, science: 0.5, sport: -0.5 },
  },
};

function unit(v) {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The groups written to groups.csv: users with and without daypart-dependent tastes. */
export const GROUP_CONTEXT = 'context-dependent';
export const GROUP_PLAIN = 'context-independent';

/**
 * Generates the population.  Returns { catalog, events: [{ user, item, timestamp, type,
 * device }], traits: [{ user, interest, plan }], groups: [{ user, group }], config, truth,
 * params }.
 * @param {Partial<Record<keyof PARAMS, any>>} opts
 * @param {object} [catalogIn] an Attune catalog to use instead of generating one
 */
export function synthesize(opts = {}, catalogIn = null) {
  const p = Object.fromEntries(Object.entries(PARAMS).map(([k, [d]]) => [k, opts[k] ?? d]));
  const end = typeof p.end === 'number' ? p.end : Date.parse(p.end);
  if (!Number.isFinite(end)) throw new Error(`--end: not a time: ${p.end}`);
  const start = end - p.days * DAY;
  const catalog = catalogIn ?? generateCatalog({ items: p.items, dim: p.dim, seed: p.catalogSeed, now: end });
  const items = catalog.items;
  const D = catalog.dim || 0;
  if (!D) throw new Error('the catalog needs item vectors (dim > 0) for individual tastes');
  const rand = prng(p.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const poisson = (lambda) => {
    const L = Math.exp(-lambda);
    let k = 0;
    let q = 1;
    do {
      k++;
      q *= rand();
    } while (q > L);
    return k - 1;
  };

  /* categories and their centroids in the item vector space */
  const categories = [...new Set(items.map((it) => it.category ?? 'none'))];
  const centroid = {};
  for (const c of categories) {
    const acc = new Array(D).fill(0);
    for (const it of items) if ((it.category ?? 'none') === c) it.vector.forEach((x, k) => { acc[k] += x; });
    centroid[c] = unit(acc);
  }
  /* segments: a main and a second category each, a shared taste vector */
  const segments = [];
  for (let s = 0; s < p.segments; s++) {
    const main = categories[s % categories.length];
    let second = categories[(s * 3 + 1) % categories.length];
    if (second === main) second = categories[(s + 1) % categories.length];
    const label = `${main}-fans${s >= categories.length ? `-${Math.floor(s / categories.length) + 1}` : ''}`;
    const taste = unit(centroid[main].map((x, k) => x + 0.5 * centroid[second][k]));
    segments.push({ label, main, second, taste, weight: 0.5 + rand() });
  }
  const segTotal = segments.reduce((a, s) => a + s.weight, 0);

  /* item features the utility uses */
  const maxPop = Math.max(1, ...items.map((it) => it.popularity ?? 0));
  const popTerm = items.map((it) => Math.log1p(it.popularity ?? 0) / Math.log1p(maxPop));
  const published = items.map((it) => (typeof it.publishedAt === 'number' ? it.publishedAt : -Infinity));
  const ctxTerm = (dp, dev) => items.map((it) => {
    const c = it.category ?? 'none';
    return (CONTEXT_EFFECTS.daypart[dp][c] ?? 0) + (CONTEXT_EFFECTS.device[dev][c] ?? 0);
  });
  const ctxCache = {};
  for (const dp of DAYPARTS) for (const dev of DEVICES) ctxCache[`${dp}|${dev}`] = ctxTerm(dp, dev);

  /* format tags: the tags found in every category (gen-catalog's basics, analysis, opinion, …) */
  const tagCats = new Map();
  for (const it of items) for (const t of it.tags ?? []) (tagCats.get(t) ?? tagCats.set(t, new Set()).get(t)).add(it.category ?? 'none');
  const formatTags = new Set([...tagCats].filter(([, cs]) => cs.size === categories.length && categories.length > 1).map(([t]) => t));

  const events = [];
  const traits = [];
  const groups = [];
  const truth = [];
  const typeWeights = [['view', 50], ['click', 30], ['like', 12], ['share', 5], ['purchase', 3]];
  const typeTotal = typeWeights.reduce((a, [, w]) => a + w, 0);
  const drawType = () => {
    let x = rand() * typeTotal;
    for (const [t, w] of typeWeights) if ((x -= w) < 0) return t;
    return 'view';
  };
  const pad = String(p.users).length;
  for (let u = 0; u < p.users; u++) {
    const user = `u${String(u + 1).padStart(pad, '0')}`;
    let x = rand() * segTotal;
    let seg = segments[segments.length - 1];
    for (const s of segments) if ((x -= s.weight) < 0) { seg = s; break; }
    /* individual taste: one or two categories of the user's own plus a random direction */
    const c1 = pick(categories);
    const c2 = pick(categories);
    const noiseDir = unit(Array.from({ length: D }, gauss));
    const own = unit(centroid[c1].map((v, k) => v + 0.5 * centroid[c2][k] + 0.8 * noiseDir[k]));
    const taste = unit(seg.taste.map((v, k) => p.segmentShare * v + (1 - p.segmentShare) * own[k]));
    /* favourite tags: two topics from the user's main categories, one format (basics, analysis, …) */
    const topicPool = [...new Set(items.filter((it) => [seg.main, c1].includes(it.category ?? 'none')).flatMap((it) => it.tags ?? []))]
      .filter((t) => !formatTags.has(t));
    const favourite = new Set();
    for (let j = 0; j < 2 && topicPool.length; j++) favourite.add(pick(topicPool));
    if (formatTags.size) favourite.add(pick([...formatTags]));
    const tasteTerm = items.map((it) => p.taste * dot(taste, it.vector) +
      p.tags * (it.tags ?? []).reduce((a, t) => a + (favourite.has(t) ? 1 : 0), 0));
    const homeDaypart = DAYPARTS[Math.min(3, Math.floor(rand() ** 1.2 * 4))];
    const homeDevice = rand() < 0.55 ? 'mobile' : rand() < 0.78 ? 'desktop' : 'tablet';
    /* declared traits: the segment, sometimes wrong or missing; plan carries no signal */
    let interest = seg.label;
    if (rand() < p.traitNoise) interest = pick(segments.filter((s) => s !== seg).map((s) => s.label).concat(segments.length === 1 ? [seg.label] : []));
    if (rand() < p.traitMissing) interest = '';
    traits.push({ user, interest, plan: pick(['free', 'free', 'pro', 'team']) });
    /* context-dependent users: a category of their own for each daypart (distinct while there
       are enough categories), and their sessions split between two usual dayparts, so their
       history holds two tastes that only the time of day tells apart */
    const contextDependent = rand() < p.contextUsers;
    let dayparts = [homeDaypart];
    let daypartCategory = null;
    if (contextDependent) {
      const order = categories.slice();
      for (let j = order.length - 1; j > 0; j--) {
        const k = Math.floor(rand() * (j + 1));
        [order[j], order[k]] = [order[k], order[j]];
      }
      daypartCategory = Object.fromEntries(DAYPARTS.map((dp, j) => [dp, order[j % order.length]]));
      const others = DAYPARTS.filter((dp) => dp !== homeDaypart);
      dayparts = [homeDaypart, pick(others)];
    }
    groups.push({ user, group: contextDependent ? GROUP_CONTEXT : GROUP_PLAIN });
    truth.push({ user, segment: seg.label, homeDaypart, homeDevice, categories: [c1, c2], tags: [...favourite],
      contextDependent, dayparts, daypartCategory });

    const activity = Math.exp(0.7 * gauss() - 0.245);
    const nSessions = Math.max(1, poisson(p.sessions * activity));
    const starts = [];
    for (let s = 0; s < nSessions; s++) {
      const day = Math.floor(rand() * p.days);
      const dp = rand() < p.daypartLoyalty ? pick(dayparts) : pick(DAYPARTS);
      const [h0, h1] = DAYPART_HOURS[dp];
      const hour = (h0 + Math.floor(rand() * (h1 - h0))) % 24;
      const t = start + day * DAY + hour * 3_600_000 + Math.floor(rand() * 3_000_000);
      starts.push({ t: Math.min(t, end - 3_600_000), dp, dev: rand() < p.deviceLoyalty ? homeDevice : pick(DEVICES) });
    }
    starts.sort((a, b) => a.t - b.t);
    const seen = new Set();
    for (const sess of starts) {
      const ctx = ctxCache[`${sess.dp}|${sess.dev}`];
      const ownCategory = daypartCategory ? daypartCategory[sess.dp] : null;
      let t = sess.t;
      const utility = (i) => tasteTerm[i] + p.context * ctx[i] + p.popularity * popTerm[i] +
        (ownCategory !== null && (items[i].category ?? 'none') === ownCategory ? p.contextTaste : 0) +
        p.freshness * 2 ** (-Math.max(0, t - published[i]) / DAY / p.halfLife);
      if (rand() < p.dismiss) {
        let worst = -1;
        let wu = Infinity;
        for (let j = 0; j < 12; j++) {
          const i = Math.floor(rand() * items.length);
          if (published[i] > t || seen.has(i)) continue;
          const v = utility(i);
          if (v < wu) { wu = v; worst = i; }
        }
        if (worst >= 0) {
          seen.add(worst);
          events.push({ user, item: items[worst].id, timestamp: t, type: 'dismiss', device: sess.dev });
          t += 20_000 + Math.floor(rand() * 60_000);
        }
      }
      const n = 1 + poisson(Math.max(0, p.perSession - 1));
      for (let e = 0; e < n; e++) {
        if (seen.size && rand() < p.repeat) {
          const again = pick([...seen]);
          events.push({ user, item: items[again].id, timestamp: t, type: 'view', device: sess.dev });
        } else {
          /* Gumbel-max: the argmax of utility + Gumbel noise is a softmax draw */
          let best = -1;
          let bu = -Infinity;
          for (let i = 0; i < items.length; i++) {
            if (published[i] > t || seen.has(i)) continue;
            const v = utility(i) - p.noise * Math.log(-Math.log(rand() + 1e-12) + 1e-12);
            if (v > bu) { bu = v; best = i; }
          }
          if (best < 0) break;
          seen.add(best);
          events.push({ user, item: items[best].id, timestamp: t, type: drawType(), device: sess.dev });
        }
        t += 60_000 + Math.floor(rand() * 240_000);
      }
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));

  /* the site's config: what a site that knows its audience would write */
  const config = {
    traits: { interest: segments.map((s) => s.label), plan: ['free', 'pro', 'team'] },
    segments: segments.map((s) => ({
      label: s.label,
      when: { interest: [s.label] },
      boost: { categories: { [s.main]: p.segmentBoost, [s.second]: Math.round(p.segmentBoost * 50) / 100 } },
    })),
    context: {
      rules: [
        ...Object.entries(CONTEXT_EFFECTS.daypart).map(([dp, eff]) => ({ when: { daypart: [dp] }, boost: { categories: positive(eff, categories) } })),
        ...Object.entries(CONTEXT_EFFECTS.device).map(([dev, eff]) => ({ when: { device: [dev] }, boost: { categories: positive(eff, categories) } })),
      ].filter((r) => Object.keys(r.boost.categories).length),
    },
  };
  return { catalog, events, traits, groups, config, truth, params: { ...p, end } };
}

/** The positive effects on categories that exist, scaled down to boost size. */
function positive(eff, categories) {
  return Object.fromEntries(Object.entries(eff).filter(([c, w]) => w > 0 && categories.includes(c)).map(([c, w]) => [c, 0.3 * w]));
}

function csvField(s) {
  s = String(s);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes events.csv, traits.csv, groups.csv, config.json, catalog.json (unless given) and params.json. */
export function writeSynth(dir, pop, { writeCatalog = true } = {}) {
  mkdirSync(dir, { recursive: true });
  const lines = ['user,item,timestamp,type,device'];
  for (const e of pop.events) lines.push([e.user, e.item, e.timestamp, e.type, e.device].map(csvField).join(','));
  writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
  const tl = ['user,interest,plan'];
  for (const t of pop.traits) tl.push([t.user, t.interest, t.plan].map(csvField).join(','));
  writeFileSync(join(dir, 'traits.csv'), `${tl.join('\n')}\n`);
  const gl = ['user,group'];
  for (const g of pop.groups) gl.push([g.user, g.group].map(csvField).join(','));
  writeFileSync(join(dir, 'groups.csv'), `${gl.join('\n')}\n`);
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(pop.config, null, 2)}\n`);
  if (writeCatalog) writeFileSync(join(dir, 'catalog.json'), JSON.stringify(pop.catalog));
  writeFileSync(join(dir, 'params.json'), `${JSON.stringify(pop.params, null, 2)}\n`);
}

function usage() {
  const rows = Object.entries(PARAMS).map(([k, [d, what]]) => `  --${kebab(k).padEnd(16)} ${what} (default ${d})`);
  return `usage: node tools/eval/synth.mjs --out DIR [--catalog catalog.json] [options]\n\n` +
    `Writes DIR/events.csv, traits.csv, groups.csv, config.json, params.json and catalog.json.\n\n${rows.join('\n')}\n`;
}

export function main(argv) {
  const opts = {};
  let out = null;
  let catalogPath = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--out') out = value;
    else if (flag === '--catalog') catalogPath = value;
    else {
      const name = camel(flag.replace(/^--/, ''));
      if (!flag.startsWith('--') || !Object.hasOwn(PARAMS, name)) throw new Error(`unknown option ${flag} (see --help)`);
      const dflt = PARAMS[name][0];
      const v = typeof dflt === 'number' ? Number(value) : value;
      if (typeof dflt === 'number' && !Number.isFinite(v)) throw new Error(`${flag}: expected a number, got ${value}`);
      opts[name] = v;
    }
  }
  if (!out) throw new Error('--out DIR is required (see --help)');
  const catalog = catalogPath ? JSON.parse(readFileSync(catalogPath, 'utf8')) : null;
  const pop = synthesize(opts, catalog);
  writeSynth(out, pop, { writeCatalog: !catalogPath });
  process.stderr.write(`synth: ${pop.traits.length} users, ${pop.events.length} events, ${pop.catalog.items.length} items -> ${out}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`synth: ${err.message}\n`);
    process.exitCode = 2;
  }
}
