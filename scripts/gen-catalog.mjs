#!/usr/bin/env node
/**
 * Generates a synthetic news catalog in Attune's format with a fixed seed: categories with
 * their own tag vocabularies and latent topic vectors, Zipf-like popularity, publish times over
 * the last weeks, item vectors near their category's topic, and related items (neighbors) by
 * vector similarity.  The demo and the benchmarks use it; nothing in it is typed by hand.
 *
 *   node scripts/gen-catalog.mjs [--items 400] [--dim 16] [--tags 4] [--neighbors 6]
 *                                [--seed 7] [--now ms] [--out file]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** mulberry32: a small seeded PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = {
  world: { tags: ['elections', 'diplomacy', 'europe', 'asia', 'africa', 'americas', 'conflict', 'migration', 'un'],
    nouns: ['Summit', 'Treaty', 'Election', 'Border talks', 'Coalition', 'Ceasefire', 'Referendum'] },
  tech: { tags: ['ai', 'security', 'startups', 'gadgets', 'open-source', 'cloud', 'privacy', 'chips', 'web'],
    nouns: ['Chipmaker', 'Start-up', 'Browser', 'Open-source project', 'AI lab', 'Cloud outage', 'Smartphone'] },
  science: { tags: ['space', 'climate', 'biology', 'physics', 'oceans', 'research', 'energy', 'astronomy'],
    nouns: ['Telescope', 'Study', 'Mission', 'Experiment', 'Survey', 'Expedition', 'Fusion test'] },
  business: { tags: ['markets', 'economy', 'retail', 'banking', 'jobs', 'trade', 'housing', 'startups'],
    nouns: ['Central bank', 'Retailer', 'Market rally', 'Merger', 'Jobs report', 'Trade deal', 'Housing data'] },
  sport: { tags: ['football', 'tennis', 'cycling', 'athletics', 'basketball', 'olympics', 'transfers'],
    nouns: ['Final', 'Derby', 'Grand tour', 'Transfer', 'Record run', 'Comeback', 'Title race'] },
  culture: { tags: ['film', 'music', 'books', 'art', 'theatre', 'food', 'travel', 'design'],
    nouns: ['Festival', 'Novel', 'Album', 'Exhibition', 'Premiere', 'Restaurant', 'Museum'] },
  health: { tags: ['health', 'fitness', 'nutrition', 'sleep', 'medicine', 'mental-health'],
    nouns: ['Trial', 'Clinic', 'Vaccine', 'Diet study', 'Sleep research', 'Hospital'] },
};
const VERBS = ['surprises', 'divides', 'reshapes', 'tests', 'revives', 'stalls', 'lifts', 'challenges', 'opens', 'rethinks'];
const OBJECTS = ['expectations', 'the old guard', 'a crowded field', 'its critics', 'the season', 'investors',
  'a new generation', 'the rules', 'the market', 'the region'];
const LEVELS = ['basics', 'advanced', 'briefing', 'explainer', 'analysis', 'opinion'];

function normalise(v) {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

/**
 * @param {{ items?: number, dim?: number, tags?: number, neighbors?: number, seed?: number, now?: number }} o
 */
export function generateCatalog({ items = 400, dim = 16, tags = 4, neighbors = 6, seed = 7, now = Date.now() } = {}) {
  const rand = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const names = Object.keys(CATEGORIES);
  const centers = Object.fromEntries(names.map((c) => [c, normalise(Array.from({ length: dim }, gauss))]));
  const day = 86400000;
  const out = [];
  for (let i = 0; i < items; i++) {
    const category = names[Math.floor(rand() ** 1.3 * names.length)];
    const spec = CATEGORIES[category];
    const tagSet = new Set();
    const wanted = Math.max(1, Math.min(tags, spec.tags.length + LEVELS.length));
    while (tagSet.size < wanted - 1) tagSet.add(spec.tags[Math.floor(rand() * spec.tags.length)]);
    tagSet.add(LEVELS[Math.floor(rand() * LEVELS.length)]);
    const title = `${spec.nouns[Math.floor(rand() * spec.nouns.length)]} ${VERBS[Math.floor(rand() * VERBS.length)]} ${OBJECTS[Math.floor(rand() * OBJECTS.length)]}`;
    const item = {
      id: `${category}-${String(i).padStart(4, '0')}`,
      title,
      category,
      tags: [...tagSet],
      popularity: Math.round(10000 / (1 + i * (0.5 + rand()))),
      publishedAt: Math.round(now - rand() ** 2 * 45 * day),
    };
    if (dim > 0) {
      const c = centers[category];
      item.vector = normalise(c.map((x) => x + 0.6 * gauss() / Math.sqrt(dim))).map((x) => Math.round(x * 1e4) / 1e4);
    }
    out.push(item);
  }
  if (dim > 0 && neighbors > 0) addNeighbors(out, neighbors, rand);
  return { version: 1, dim, items: out };
}

/** Related items: the most similar vectors (exact for small catalogs, sampled for large). */
function addNeighbors(items, m, rand) {
  const exact = items.length <= 5000;
  for (const a of items) {
    const pool = exact ? items : Array.from({ length: 200 }, () => items[Math.floor(rand() * items.length)]);
    const scored = [];
    for (const b of pool) {
      if (b === a) continue;
      let dot = 0;
      for (let k = 0; k < a.vector.length; k++) dot += a.vector[k] * b.vector[k];
      scored.push([b.id, dot]);
    }
    scored.sort((x, y) => y[1] - x[1]);
    const seen = new Set();
    a.neighbors = [];
    for (const [id, w] of scored) {
      if (a.neighbors.length === m) break;
      if (seen.has(id) || w <= 0) continue;
      seen.add(id);
      a.neighbors.push([id, Math.round(w * 1000) / 1000]);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const get = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const catalog = generateCatalog({
    items: Number(get('--items', 400)),
    dim: Number(get('--dim', 16)),
    tags: Number(get('--tags', 4)),
    neighbors: Number(get('--neighbors', 6)),
    seed: Number(get('--seed', 7)),
    now: Number(get('--now', Math.floor(Date.now() / 3600000) * 3600000)),
  });
  const text = JSON.stringify(catalog);
  const out = get('--out', null);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
