/**
 * int8 item vectors (config model.vectors) through the public API: the option is accepted and
 * reported, catalogInfo.bytes shrinks by what the vectors no longer take, rankings stay within
 * the README's tolerance of float32's with explanations that add up, packed and JSON catalogs
 * quantise alike, both wasm builds return the same lists, and bad values are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, expectCode, seeded, T0, HOUR } from './helpers.js';
import { packCatalog } from '../../js/node.js';
import { hasSimd } from '../../js/wasm.js';

const DIM = 32;
const N = 2000;

/** 2,000 items in 10 clusters of nearby 32-d vectors; every 40th item has none. */
function clusteredCatalog() {
  const rand = seeded(8);
  const centres = Array.from({ length: 10 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
  const items = Array.from({ length: N }, (_, i) => {
    const c = i % 10;
    const item = { id: `q${i}`, tags: [`t${i % 17}`, `t${(i * 7) % 17}`], category: `c${i % 5}`, popularity: Math.floor(rand() * 1000) };
    if (i % 40 !== 39) item.vector = centres[c].map((x) => Math.fround(x + 0.6 * (rand() * 2 - 1)));
    return item;
  });
  return { version: 1, dim: DIM, items };
}

const catalog = clusteredCatalog();
const config = (vectors) => ({ privacyLevel: 'individual', ranking: { exploration: 0 }, model: vectors ? { vectors } : undefined });

/** An engine with a user who clicked items of clusters `a` and `b`. */
async function engineFor(vectors, { a = 3, b = 6, source = catalog, wasm } = {}) {
  const engine = await createEngine({ catalog: source, config: config(vectors), now: () => T0, wasm });
  for (let j = 0; j < 12; j++) {
    const i = (j % 3 ? a : b) + 10 * (j * 13 + 1);
    await engine.track({ item: `q${i}`, type: j % 4 === 3 ? 'like' : 'click', at: T0 - (12 - j) * HOUR });
  }
  return engine;
}

test('model.vectors "int8" is accepted, reported, and shrinks catalogInfo.bytes by 3·dim − 4 bytes per item', async () => {
  const f = await engineFor(undefined);
  const q = await engineFor('int8');
  assert.equal(f.config.model.vectors, 'float32');
  assert.equal(q.config.model.vectors, 'int8');
  assert.equal(q.catalogInfo.dim, DIM);
  assert.equal(f.catalogInfo.bytes - q.catalogInfo.bytes, N * (4 * DIM - (DIM + 4)));
  assert.ok(q.catalogInfo.bytes < 0.5 * f.catalogInfo.bytes, `${q.catalogInfo.bytes} vs ${f.catalogInfo.bytes}`);
  f.close();
  q.close();
});

test('int8 rankings stay within the stated tolerance of float32, and explanations add up exactly', async () => {
  let overlap = 0;
  let worst = 0;
  const users = [[0, 1], [2, 5], [3, 6], [4, 9], [7, 8], [9, 2]];
  for (const [a, b] of users) {
    const f = await engineFor(undefined, { a, b });
    const q = await engineFor('int8', { a, b });
    const fl = f.recommend({ k: 10 });
    const ql = q.recommend({ k: 10 });
    assert.equal(ql.length, 10);
    overlap += ql.filter((r) => fl.some((s) => s.id === r.id)).length;
    for (const r of ql) {
      const x = q.explain(r.id);
      assert.equal(x.score, r.score, `${r.id}: explain ${x.score}, recommend ${r.score}`);
      assert.equal(x.contributions.reduce((s, c) => s + c.weight, 0), x.score, `${r.id}: contributions do not add up`);
      worst = Math.max(worst, Math.abs(r.score - f.explain(r.id).score));
    }
    f.close();
    q.close();
  }
  assert.ok(overlap >= 9 * users.length, `top 10 overlap ${overlap / users.length} on average`);
  assert.ok(worst <= 0.01, `an int8 score is ${worst} from its float32 score`);
});

test('a packed catalog and its JSON text quantise alike', async () => {
  const fromJson = await engineFor('int8', { source: JSON.stringify(catalog) });
  const fromPacked = await engineFor('int8', { source: packCatalog(catalog) });
  assert.equal(fromPacked.catalogInfo.bytes, fromJson.catalogInfo.bytes);
  assert.deepEqual(fromPacked.recommend({ k: 30 }), fromJson.recommend({ k: 30 }));
  assert.deepEqual(fromPacked.explain('q13'), fromJson.explain('q13'));
  fromJson.close();
  fromPacked.close();
});

test('the SIMD and scalar wasm builds return the same int8 lists and scores', { skip: !hasSimd() && 'no WebAssembly SIMD here' }, async () => {
  for (const [a, b] of [[1, 4], [8, 0]]) {
    const simd = await engineFor('int8', { a, b, wasm: 'attune.wasm' });
    const scalar = await engineFor('int8', { a, b, wasm: 'attune-scalar.wasm' });
    assert.deepEqual(scalar.recommend({ k: 50 }), simd.recommend({ k: 50 }));
    assert.deepEqual(scalar.explain('q21'), simd.explain('q21'));
    simd.close();
    scalar.close();
  }
});

test('an unknown model.vectors value is refused naming the key', async () => {
  for (const vectors of ['int4', 'INT8', 8, null]) {
    await expectCode(() => createEngine({ catalog, config: { model: { vectors } }, now: () => T0 }), 'bad_config', 'config.model.vectors');
  }
});
