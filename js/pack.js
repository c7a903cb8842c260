/**
 * Packs a catalog object into the compact binary catalog ("ATTC", see src/catalog.h), which the
 * core loads in a fraction of the time JSON takes.  This is marshalling, not validation: any
 * shape it does not expect makes it return null, and the caller hands the JSON to the core,
 * whose reader reports exactly what is wrong.  The core validates packed catalogs as strictly.
 * The one thing it refuses itself is a NaN popularity or publishedAt: the packed form reads NaN
 * as "absent", and JSON would write null (absent too).  ±Infinity is packed as it is, and the
 * core refuses it.
 */
import { AttuneError, describe } from './errors.js';

const encoder = new TextEncoder();
const NONE = 0xffffffff;
const MISSING_NEIGHBOR = 0xfffffffe; /* not in the catalog: dropped and counted by the core */

let crcTable = null;
function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let k = 0; k < 256; k++) {
      let v = k;
      for (let j = 0; j < 8; j++) v = v & 1 ? 0xedb88320 ^ (v >>> 1) : v >>> 1;
      crcTable[k] = v >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Checked before any shape that makes packing give up, so the JSON route never sees a NaN. */
function refuseNaN(item, i, field) {
  if (Number.isNaN(item[field])) {
    throw new AttuneError('bad_catalog', `catalog.items[${i}] (id ${describe(item.id)}): "${field}" must be a finite number, got NaN`);
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const absent = (v) => v === undefined || v === null;

/**
 * @param {unknown} catalog a parsed catalog ({ version: 1, dim?, items: [...] })
 * @returns {Uint8Array | null} the packed catalog, or null to let the core read the JSON
 */
export function packCatalog(catalog) {
  if (!isObject(catalog) || catalog.version !== 1 || !Array.isArray(catalog.items)) return null;
  for (const key of Object.keys(catalog)) if (key !== 'version' && key !== 'dim' && key !== 'items') return null;
  const dim = catalog.dim ?? 0;
  if (!Number.isInteger(dim) || dim < 0 || dim > 128) return null;
  const items = catalog.items;
  const strings = new Map();
  const list = [];
  const str = (s) => {
    let i = strings.get(s);
    if (i === undefined) {
      i = list.length;
      strings.set(s, i);
      list.push(s);
    }
    return i;
  };
  const position = new Map();
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!isObject(it) || typeof it.id !== 'string' || position.has(it.id)) return null;
    position.set(it.id, i);
    refuseNaN(it, i, 'popularity');
    refuseNaN(it, i, 'publishedAt');
  }
  /* first pass: check shapes and intern strings, counting the bytes needed */
  let size = 12;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const { tags, category, title, popularity, publishedAt, vector, neighbors } = it;
    str(it.id);
    size += 4 + 1 + 4 + 4 + 8 + 8 + 1 + 1;
    if (tags === null) return null;
    if (tags !== undefined) {
      if (!Array.isArray(tags) || tags.length > 255) return null;
      for (let k = 0; k < tags.length; k++) {
        if (typeof tags[k] !== 'string') return null;
        str(tags[k]);
      }
      size += 4 * tags.length;
    }
    if (!absent(category)) { if (typeof category !== 'string') return null; str(category); }
    if (!absent(title)) { if (typeof title !== 'string') return null; str(title); }
    if (!absent(popularity) && typeof popularity !== 'number') return null;
    if (!absent(publishedAt) && typeof publishedAt !== 'number') return null;
    if (!absent(vector)) {
      if (!Array.isArray(vector) || vector.length !== dim || dim === 0) return null;
      for (let k = 0; k < vector.length; k++) if (typeof vector[k] !== 'number') return null;
      size += 4 * dim;
    }
    if (!absent(neighbors)) {
      if (!Array.isArray(neighbors) || neighbors.length > 255) return null;
      for (let k = 0; k < neighbors.length; k++) {
        const p = neighbors[k];
        if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'number') return null;
      }
      size += 8 * neighbors.length;
    }
  }
  const encoded = list.map((s) => encoder.encode(s));
  for (const e of encoded) {
    if (e.length > 0xffff) return null;
    size += 2 + e.length;
  }
  /* second pass: write (indexed loops and a local offset: this runs over every number) */
  const out = new Uint8Array(16 + size);
  const v = new DataView(out.buffer);
  let o = 16;
  v.setUint32(o, items.length, true);
  v.setUint32(o + 4, dim, true);
  v.setUint32(o + 8, list.length, true);
  o += 12;
  for (let i = 0; i < encoded.length; i++) {
    const e = encoded[i];
    v.setUint16(o, e.length, true);
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    v.setUint32(o, strings.get(it.id), true);
    o += 4;
    const tags = it.tags ?? [];
    out[o++] = tags.length;
    /* in string-table order, which is the order the core numbers tags in: it appends, not inserts */
    const refs = tags.length > 1 ? tags.map((t) => strings.get(t)).sort((a, b) => a - b) : tags.map((t) => strings.get(t));
    for (let k = 0; k < refs.length; k++, o += 4) v.setUint32(o, refs[k], true);
    v.setUint32(o, absent(it.category) ? NONE : strings.get(it.category), true);
    v.setUint32(o + 4, absent(it.title) ? NONE : strings.get(it.title), true);
    v.setFloat64(o + 8, absent(it.popularity) ? NaN : it.popularity, true);
    v.setFloat64(o + 16, absent(it.publishedAt) ? NaN : it.publishedAt, true);
    o += 24;
    const vec = it.vector;
    if (absent(vec)) {
      out[o++] = 0;
    } else {
      out[o++] = 1;
      for (let k = 0; k < vec.length; k++, o += 4) v.setFloat32(o, vec[k], true);
    }
    const nb = it.neighbors ?? [];
    out[o++] = nb.length;
    for (let k = 0; k < nb.length; k++, o += 8) {
      v.setUint32(o, position.get(nb[k][0]) ?? MISSING_NEIGHBOR, true);
      v.setFloat32(o + 4, nb[k][1], true);
    }
  }
  out.set([0x41, 0x54, 0x54, 0x43]); /* ATTC */
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setUint32(8, size, true);
  v.setUint32(12, crc32(out.subarray(16)), true);
  return out;
}

/** True when bytes are a packed catalog. */
export function isPacked(bytes) {
  return bytes.length >= 4 && bytes[0] === 0x41 && bytes[1] === 0x54 && bytes[2] === 0x54 && bytes[3] === 0x43;
}
