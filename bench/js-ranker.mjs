/**
 * JavaScript rankers for the benchmark's wasm-vs-JS comparison.  `TypedRanker` is a fair port
 * of the core's selection path at the behavioral and individual levels: the same
 * struct-of-arrays layout (typed arrays), the same per-call tables (decayed tag and category
 * affinities normalised by the strongest plus a prior, segment tag boosts, related-item sums,
 * the implicit-ALS taste vector by a Cholesky solve), the same per-item score and a bounded
 * heap for the top k.  `IdiomaticRanker` is how the same scoring is often written: objects,
 * Maps, map/sort/slice.  Neither builds reasons; the bench compares them with the core's
 * recommend at k = 10, whose reasons and JSON cost a few per cent of a 100k-item call.
 */
const DAY = 86400000;
const PRIOR = 3;

function normalise(a, weight) {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) > m) m = Math.abs(a[i]);
  if (m <= 1e-9) return a.fill(0);
  for (let i = 0; i < a.length; i++) a[i] = (weight * a[i]) / (m + PRIOR);
  return a;
}

export const DEFAULTS = {
  wPop: 0.3, wFresh: 0.2, wAff: 1, wRel: 0.5, wModel: 1, halfLife: 7, freshHalfLife: 14, lambda: 1, alpha: 4,
  events: { view: 0.2, click: 1, like: 2, share: 2, purchase: 3, dismiss: -2 },
};

export class TypedRanker {
  constructor(catalog, boosts = {}, o = DEFAULTS) {
    this.o = o;
    const items = catalog.items;
    const n = (this.n = items.length);
    const dim = (this.dim = catalog.dim ?? 0);
    this.index = new Map(items.map((it, i) => [it.id, i]));
    const tagIndex = new Map();
    const catIndex = new Map();
    const tagList = [];
    this.tagOff = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) this.tagOff[i + 1] = this.tagOff[i] + new Set(items[i].tags ?? []).size;
    this.tagIds = new Uint16Array(this.tagOff[n]);
    this.cat = new Uint16Array(n).fill(0xffff);
    this.pop = new Float32Array(n);
    this.fresh0 = new Float32Array(n);
    this.vec = new Float32Array(n * dim);
    this.invNorm = new Float32Array(n);
    let maxPop = 0;
    let ref = -Infinity;
    for (const it of items) {
      if ((it.popularity ?? 0) > maxPop) maxPop = it.popularity;
      if (it.publishedAt !== undefined && it.publishedAt / DAY > ref) ref = it.publishedAt / DAY;
    }
    this.freshRef = ref;
    const nbOff = (this.nbOff = new Uint32Array(n + 1));
    for (let i = 0; i < n; i++) nbOff[i + 1] = nbOff[i] + (items[i].neighbors?.length ?? 0);
    this.nbItem = new Uint32Array(nbOff[n]);
    this.nbW = new Float32Array(nbOff[n]);
    for (let i = 0; i < n; i++) {
      const it = items[i];
      const tags = [...new Set(it.tags ?? [])].map((t) => {
        if (!tagIndex.has(t)) {
          tagIndex.set(t, tagList.length);
          tagList.push(t);
        }
        return tagIndex.get(t);
      }).sort((a, b) => a - b);
      this.tagIds.set(tags, this.tagOff[i]);
      if (it.category !== undefined) {
        if (!catIndex.has(it.category)) catIndex.set(it.category, catIndex.size);
        this.cat[i] = catIndex.get(it.category);
      }
      this.pop[i] = maxPop > 0 ? Math.log1p(it.popularity ?? 0) / Math.log1p(maxPop) : 0;
      this.fresh0[i] = it.publishedAt === undefined ? 0 : 2 ** ((it.publishedAt / DAY - ref) / o.freshHalfLife);
      if (it.vector) {
        let nn = 0;
        for (let k = 0; k < dim; k++) {
          this.vec[i * dim + k] = it.vector[k];
          nn += it.vector[k] * it.vector[k];
        }
        this.invNorm[i] = nn > 0 ? 1 / Math.sqrt(nn) : 0;
      }
      (it.neighbors ?? []).forEach(([id, w], k) => {
        this.nbItem[nbOff[i] + k] = this.index.get(id) ?? i;
        this.nbW[nbOff[i] + k] = id === it.id || !this.index.has(id) ? 0 : w;
      });
    }
    this.nt = tagList.length;
    this.nc = catIndex.size;
    this.boost = new Float32Array(this.nt);
    for (const [t, w] of Object.entries(boosts)) if (tagIndex.has(t)) this.boost[tagIndex.get(t)] = w;
    this.score = new Float64Array(n);
    this.rel = new Float32Array(n);
    this.seen = new Uint8Array(n);
    this.touched = [];
  }

  /** history: [{ item, type, at }]; level: 'behavioral' | 'individual'. Returns top-k indices. */
  recommend(history, now, k, level) {
    const { o, n, nt, dim, tagOff, tagIds, pop, fresh0, cat, vec, invNorm, rel, seen, score } = this;
    const tagAff = new Float64Array(nt);
    const catAff = new Float64Array(Math.max(this.nc, 1));
    for (const i of this.touched) rel[i] = 0;
    this.touched.length = 0;
    seen.fill(0);
    let relMax = 0;
    for (const e of history) {
      const i = this.index.get(e.item);
      if (i === undefined) continue;
      const w = o.events[e.type] * 2 ** (-(now - e.at) / (o.halfLife * DAY));
      for (let t = tagOff[i]; t < tagOff[i + 1]; t++) tagAff[tagIds[t]] += w;
      if (cat[i] !== 0xffff) catAff[cat[i]] += w;
      if (e.type !== 'dismiss') seen[i] = 1;
      if (w <= 0) continue;
      for (let q = this.nbOff[i]; q < this.nbOff[i + 1]; q++) {
        const j = this.nbItem[q];
        if (rel[j] === 0) this.touched.push(j);
        rel[j] += this.nbW[q] * w;
        if (rel[j] > relMax) relMax = rel[j];
      }
    }
    normalise(tagAff, o.wAff);
    normalise(catAff, o.wAff);
    const relW = relMax > 0 ? o.wRel / relMax : 0;
    let u = null;
    let conf = 0;
    if (level === 'individual' && dim > 0) [u, conf] = this.#foldIn(history, now);
    const scale = 2 ** (-(now / DAY - this.freshRef) / o.freshHalfLife);
    const boost = this.boost;
    for (let i = 0; i < n; i++) {
      if (seen[i]) {
        score[i] = -Infinity;
        continue;
      }
      const f = fresh0[i] * scale;
      let s = o.wPop * pop[i] + o.wFresh * (f > 1 ? 1 : f) + relW * rel[i];
      let a = 0;
      let b = 0;
      const end = tagOff[i + 1];
      for (let t = tagOff[i]; t < end; t++) {
        a += boost[tagIds[t]];
        b += tagAff[tagIds[t]];
      }
      const nTags = end - tagOff[i];
      s += a + (nTags ? b / Math.sqrt(nTags) : 0);
      if (cat[i] !== 0xffff) s += catAff[cat[i]];
      if (u && invNorm[i] > 0) {
        let d = 0;
        for (let q = 0, base = i * dim; q < dim; q++) d += vec[base + q] * u[q];
        s += o.wModel * conf * d * invNorm[i];
      }
      score[i] = s;
    }
    return topK(score, k);
  }

  #foldIn(history, now) {
    const { o, dim, vec, invNorm } = this;
    const a = new Float64Array(dim * dim);
    const b = new Float64Array(dim);
    for (let j = 0; j < dim; j++) a[j * dim + j] = o.lambda;
    let npos = 0;
    for (const e of history) {
      const i = this.index.get(e.item);
      if (i === undefined || invNorm[i] === 0) continue;
      const w = o.events[e.type] * 2 ** (-(now - e.at) / (o.halfLife * DAY));
      const c = 1 + o.alpha * Math.abs(w);
      for (let r = 0; r < dim; r++) {
        const cr = c * vec[i * dim + r];
        for (let s = 0; s < dim; s++) a[r * dim + s] += cr * vec[i * dim + s];
        if (w > 0) b[r] += cr;
      }
      if (w > 0) npos++;
    }
    if (!npos || !cholesky(a, b, dim)) return [null, 0];
    const norm = Math.hypot(...b);
    return [Float32Array.from(b, (x) => x / norm), npos / (npos + 3)];
  }
}

function cholesky(a, b, n) {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return true;
}

/** Bounded min-heap top-k with the core's tie-break (higher score, then lower index). */
function topK(score, k) {
  const h = new Int32Array(k);
  let size = 0;
  const before = (x, y) => score[x] > score[y] || (score[x] === score[y] && x < y);
  const down = (i) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < size && before(h[w], h[l])) w = l;
      if (r < size && before(h[w], h[r])) w = r;
      if (w === i) return;
      [h[i], h[w]] = [h[w], h[i]];
      i = w;
    }
  };
  for (let i = 0; i < score.length; i++) {
    if (score[i] === -Infinity) continue;
    if (size < k) {
      h[size] = i;
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!before(h[p], h[j])) break;
        [h[p], h[j]] = [h[j], h[p]];
        j = p;
      }
    } else if (before(i, h[0])) {
      h[0] = i;
      down(0);
    }
  }
  return Array.from(h.subarray(0, size)).sort((x, y) => (before(x, y) ? -1 : 1));
}

/** The same scoring as it is often written: objects, Maps, map/sort/slice. */
export class IdiomaticRanker {
  constructor(catalog, boosts = {}, o = DEFAULTS) {
    this.o = o;
    this.items = catalog.items;
    this.byId = new Map(catalog.items.map((it) => [it.id, it]));
    this.boosts = boosts;
    this.maxPop = Math.max(1, ...catalog.items.map((it) => it.popularity ?? 0));
    this.freshRef = Math.max(...catalog.items.map((it) => (it.publishedAt ?? 0) / DAY));
  }

  recommend(history, now, k) {
    const { o } = this;
    const tagAff = new Map();
    const catAff = new Map();
    const rel = new Map();
    const seen = new Set();
    for (const e of history) {
      const it = this.byId.get(e.item);
      if (!it) continue;
      const w = o.events[e.type] * 2 ** (-(now - e.at) / (o.halfLife * DAY));
      for (const t of it.tags ?? []) tagAff.set(t, (tagAff.get(t) ?? 0) + w);
      if (it.category) catAff.set(it.category, (catAff.get(it.category) ?? 0) + w);
      if (e.type !== 'dismiss') seen.add(it.id);
      if (w > 0) for (const [id, nw] of it.neighbors ?? []) rel.set(id, (rel.get(id) ?? 0) + nw * w);
    }
    const norm = (m) => {
      const top = Math.max(0, ...[...m.values()].map(Math.abs));
      return (v) => (top > 1e-9 ? (o.wAff * v) / (top + PRIOR) : 0);
    };
    const ta = norm(tagAff);
    const ca = norm(catAff);
    const relMax = Math.max(0, ...rel.values());
    return this.items
      .filter((it) => !seen.has(it.id))
      .map((it) => {
        const tags = it.tags ?? [];
        const fresh = it.publishedAt === undefined ? 0
          : Math.min(1, 2 ** ((it.publishedAt / DAY - now / DAY) / o.freshHalfLife));
        const score = o.wPop * (Math.log1p(it.popularity ?? 0) / Math.log1p(this.maxPop)) + o.wFresh * fresh +
          tags.reduce((s, t) => s + (this.boosts[t] ?? 0), 0) +
          (tags.length ? tags.reduce((s, t) => s + ta(tagAff.get(t) ?? 0), 0) / Math.sqrt(tags.length) : 0) +
          ca(catAff.get(it.category) ?? 0) + (relMax > 0 ? (o.wRel * (rel.get(it.id) ?? 0)) / relMax : 0);
        return { id: it.id, score };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }
}
