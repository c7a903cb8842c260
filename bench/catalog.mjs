/**
 * The benchmark catalog: n items with 16 tags each from a 1000-tag vocabulary, 20 categories,
 * D-dimensional vectors, popularity, publish times and 10 neighbors per item (each count an
 * option), from a fixed
 * seed; plus a 100-interaction history.
 */
import { prng } from '../scripts/gen-catalog.mjs';

export function benchCatalog(n, { dim = 32, tags = 16, neighbors: nbs = 10, seed = 1, now = 1.8e12 } = {}) {
  const rand = prng(seed);
  const items = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = new Set();
    while (t.size < tags) t.add(`tag${Math.floor(rand() ** 2 * 1000)}`);
    const vector = new Array(dim);
    for (let k = 0; k < dim; k++) vector[k] = Math.round((rand() * 2 - 1) * 1e4) / 1e4;
    const neighbors = [];
    for (let k = 0; k < nbs; k++) neighbors.push([`i${Math.floor(rand() * n)}`, Math.round(rand() * 1000) / 1000]);
    items[i] = {
      id: `i${i}`, tags: [...t], category: `c${i % 20}`, popularity: Math.floor(rand() * 10000),
      publishedAt: now - Math.floor(rand() * 60 * 86400000), vector, neighbors,
    };
  }
  return { version: 1, dim, items };
}

/** 100 interactions over the last days, on random items. */
export function benchHistory(n, { count = 100, seed = 2, now = 1.8e12 } = {}) {
  const rand = prng(seed);
  const types = ['view', 'view', 'view', 'click', 'click', 'like'];
  return Array.from({ length: count }, (_, i) => ({
    item: `i${Math.floor(rand() * n)}`, type: types[Math.floor(rand() * types.length)],
    at: now - (count - i) * 3600000,
  }));
}
