import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { open, makeCatalog, itemId, expectCode, deepJSON, createEngine } from './helpers.js';

const catalog = makeCatalog({ n: 25, seed: 8 });
const dir = mkdtempSync(join(tmpdir(), 'attune-catalog-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const withItem = (i, patch) => ({ version: 1, items: catalog.items.map((it, j) => (j === i ? { ...it, ...patch } : it)) });
const withoutKey = (i, key) => ({ version: 1, items: catalog.items.map((it, j) => { if (j !== i) return it; const { [key]: _, ...rest } = it; return rest; }) });

test('the catalog can be an object, JSON text, a file URL, a file URL text, an absolute or a relative path', async () => {
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  const reference = (await open({ catalog })).engine.recommend({ k: 25 });
  const sources = {
    object: catalog,
    'JSON text': JSON.stringify(catalog),
    'indented JSON text': `\n  ${JSON.stringify(catalog, null, 2)}\n`,
    'file URL': pathToFileURL(file),
    'file URL text': pathToFileURL(file).href,
    'absolute path': file,
    'relative path': relative(process.cwd(), file),
  };
  for (const [what, source] of Object.entries(sources)) {
    const { engine } = await open({ catalog: source });
    assert.equal(engine.catalogInfo.items, 25, what);
    assert.deepEqual(engine.recommend({ k: 25 }), reference, what);
  }
});

test('catalogInfo describes the loaded catalog', async () => {
  const { engine } = await open({ catalog });
  const info = engine.catalogInfo;
  assert.equal(info.items, 25);
  assert.equal(info.categories, new Set(catalog.items.map((i) => i.category)).size);
  assert.equal(info.tags, new Set(catalog.items.flatMap((i) => i.tags)).size);
  assert.equal(info.dim, 0);
  assert.equal(info.droppedNeighbors, 0);
});

test('a catalog that cannot be read is reported as catalog_unavailable, naming it', async () => {
  const missing = join(dir, 'nope.json');
  await expectCode(() => open({ catalog: missing }), 'catalog_unavailable', 'nope.json');
  await expectCode(() => open({ catalog: pathToFileURL(missing) }), 'catalog_unavailable', 'nope.json');
  await expectCode(() => open({ catalog: dir }), 'catalog_unavailable');
});

test('a catalog of the wrong type is a bad_argument', async () => {
  for (const bad of [undefined, null, 5, true, [], [catalog]]) {
    await expectCode(() => createEngine({ catalog: bad }), 'bad_argument');
  }
  await expectCode(() => createEngine({}), 'bad_argument', 'catalog');
});

test('catalog errors name the item by index and id, and the field', async () => {
  const cases = [
    ['duplicate id', { version: 1, items: [...catalog.items.slice(0, 3), { id: itemId(1) }] }, 'bad_catalog', ['items[3]', itemId(1), 'duplicate']],
    ['missing id', withoutKey(4, 'id'), 'bad_catalog', ['items[4]', 'id']],
    ['id not a string', withItem(2, { id: 42 }), 'bad_catalog', ['items[2]', 'id']],
    ['empty id', withItem(2, { id: '' }), 'bad_catalog', ['items[2]', 'id']],
    ['id over 128 bytes', withItem(6, { id: 'x'.repeat(129) }), 'bad_catalog', ['items[6]', 'id']],
    ['tags not an array', withItem(5, { tags: 'ai' }), 'bad_catalog', ['items[5]', itemId(5), 'tags']],
    ['a tag not a string', withItem(5, { tags: ['ai', 7] }), 'bad_catalog', ['items[5]', itemId(5), 'tags[1]']],
    ['more than 64 tags', withItem(7, { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }), 'too_large', ['items[7]', itemId(7), '64']],
    ['empty category', withItem(8, { category: '' }), 'bad_catalog', ['items[8]', itemId(8), 'category']],
    ['negative popularity', withItem(9, { popularity: -1 }), 'bad_catalog', ['items[9]', itemId(9), 'popularity']],
    ['popularity as text', withItem(9, { popularity: '100' }), 'bad_catalog', ['items[9]', 'popularity']],
    ['publishedAt as text', withItem(10, { publishedAt: '2026-01-01' }), 'bad_catalog', ['items[10]', itemId(10), 'publishedAt']],
    ['vector without dim', withItem(11, { vector: [1, 2] }), 'bad_catalog', ['items[11]', itemId(11), 'vector']],
    ['vector of the wrong length', { ...withItem(11, { vector: [1, 2] }), dim: 3 }, 'bad_catalog', ['items[11]', 'vector']],
    ['malformed neighbors', withItem(12, { neighbors: [['x']] }), 'bad_catalog', ['items[12]', itemId(12), 'neighbors[0]']],
    ['negative neighbor weight', withItem(12, { neighbors: [[itemId(1), -1]] }), 'bad_catalog', ['items[12]', 'neighbors[0]']],
    ['an item that is not an object', { version: 1, items: [catalog.items[0], 'item'] }, 'bad_catalog', ['items[1]']],
    ['items not an array', { version: 1, items: {} }, 'bad_catalog', ['items']],
    ['unknown top-level key', { ...catalog, itemz: [] }, 'bad_catalog', ['itemz']],
    ['dim out of range', { ...catalog, dim: 1000 }, 'bad_catalog', ['dim']],
    ['a newer catalog version', { ...catalog, version: 2 }, 'newer_version', ['version']],
    ['version 0', { ...catalog, version: 0 }, 'bad_catalog', ['version']],
  ];
  for (const [what, bad, code, mentions] of cases) {
    const err = await expectCode(() => open({ catalog: bad }), code, ...mentions).catch((e) => {
      e.message = `${what}: ${e.message}`;
      throw e;
    });
    assert.ok(err, what);
    /* the same error for the JSON text */
    await expectCode(() => open({ catalog: JSON.stringify(bad) }), code, ...mentions);
  }
});

test('catalog JSON text that is not JSON is bad_json, with the byte offset', async () => {
  const text = JSON.stringify(catalog);
  await expectCode(() => open({ catalog: text.slice(0, -5) }), 'bad_json');
  await expectCode(() => open({ catalog: `${text} trailing` }), 'bad_json');
  await expectCode(() => open({ catalog: '{"version": 1, "items": [{"id": "a",}]}' }), 'bad_json', 'byte');
  await expectCode(() => open({ catalog: '   ' }), 'bad_json');
  /* the glue parses catalog JSON itself and packs only the fields the engine uses, so deeply
     nested display fields are ignored like any other extra field */
  const deep = await open({ catalog: `{"version":1,"items":[{"id":"a","deep":${deepJSON(10000)}}]}` });
  assert.equal(deep.engine.catalogInfo.items, 1);
});

test('a catalog the glue packs and the same catalog read as JSON by the core load identically', async () => {
  const packed = await open({ catalog });
  const viaCore = await open({ catalog: { ...catalog, unknownTopLevelKey: undefined } });
  assert.deepEqual(packed.engine.catalogInfo, viaCore.engine.catalogInfo);
  assert.deepEqual(packed.engine.recommend({ k: 25 }), viaCore.engine.recommend({ k: 25 }));
});

test('extra item fields (url, image, price) are ignored; unknown neighbor ids are dropped and counted', async () => {
  const extra = withItem(0, { url: '/a', image: '/a.png', price: 9.5, neighbors: [[itemId(1), 0.5], ['gone', 1], [itemId(0), 1]] });
  const { engine } = await open({ catalog: extra });
  assert.equal(engine.catalogInfo.items, 25);
  assert.equal(engine.catalogInfo.droppedNeighbors, 2, 'an unknown id and a self-reference');
});

test('the example configuration in DESIGN.md is accepted', async () => {
  const config = {
    privacyLevel: 'behavioral',
    history: { size: 100, retentionDays: 30, halfLifeDays: 7 },
    events: { view: 0.2, click: 1, like: 2, share: 2, purchase: 3, dismiss: -2 },
    traits: { plan: ['free', 'pro', 'team'], industry: ['finance', 'retail', 'other'] },
    segments: [
      { label: 'pro-heavy', when: { plan: ['pro', 'team'], usage: ['heavy'] }, boost: { tags: { advanced: 0.5 } } },
      { label: 'newcomer', when: { usage: ['light'] }, boost: { tags: { basics: 0.8 } } },
    ],
    defaultSegment: 'general',
    context: { keys: ['campaign'], rules: [{ when: { daypart: ['morning'] }, boost: { tags: { briefing: 0.3 } } }] },
    label: { k: 50, populations: { 'pro-heavy': 1200 }, randomRate: 0.05, epsilon: null, epochDays: 7 },
    ranking: { excludeSeen: true, diversity: 0.2, maxPerCategory: 3, exploration: 0.05 },
    sensitiveTags: ['health'],
  };
  const { engine } = await open({ catalog, config });
  assert.equal(engine.recommend({ k: 5 }).length, 5);
  const text = await open({ catalog, config: JSON.stringify(config) });
  assert.equal(text.engine.level, 'behavioral');
});

test('config errors are bad_config and name the key', async () => {
  const cases = [
    ['unknown top-level key', { privacylevel: 'none' }, ['privacylevel']],
    ['unknown level', { privacyLevel: 'max' }, ['config.privacyLevel', 'max']],
    ['level not a string', { privacyLevel: 2 }, ['config.privacyLevel']],
    ['privacyLevel above maxPrivacyLevel', { privacyLevel: 'individual', maxPrivacyLevel: 'segment' }, ['config.privacyLevel']],
    ['history not an object', { history: 5 }, ['config.history']],
    ['history.size 0', { history: { size: 0 } }, ['config.history.size']],
    ['history.size 1001', { history: { size: 1001 } }, ['config.history.size']],
    ['history.size 2.5', { history: { size: 2.5 } }, ['config.history.size']],
    ['history.size as text', { history: { size: '10' } }, ['config.history.size']],
    ['history.retentionDays 0', { history: { retentionDays: 0 } }, ['config.history.retentionDays']],
    ['history.retentionDays 366', { history: { retentionDays: 366 } }, ['config.history.retentionDays']],
    ['history.halfLifeDays 0', { history: { halfLifeDays: 0 } }, ['config.history.halfLifeDays']],
    ['unknown history key', { history: { window: 5 } }, ['window']],
    ['event weight out of range', { events: { click: 11 } }, ['config.events.click']],
    ['impression weight', { events: { impression: 1 } }, ['impression']],
    ['trait values not a list', { traits: { plan: 'pro' } }, ['config.traits.plan']],
    ['trait value twice', { traits: { plan: ['pro', 'pro'] } }, ['config.traits.plan']],
    ['usage declared as a trait', { traits: { usage: ['a'] } }, ['usage']],
    ['segment without a label', { segments: [{ when: {} }] }, ['config.segments[0].label']],
    ['segment on an undeclared trait', { traits: { plan: ['pro'] }, segments: [{ label: 'a' }, { label: 'b', when: { country: ['fr'] } }] }, ['config.segments[1].when.country']],
    ['segment on an undeclared value', { traits: { plan: ['pro'] }, segments: [{ label: 'a', when: { plan: ['gold'] } }] }, ['config.segments[0].when.plan', 'gold']],
    ['segment on an unknown usage', { segments: [{ label: 'a', when: { usage: ['sometimes'] } }] }, ['config.segments[0].when.usage', 'sometimes']],
    ['segment labels twice', { segments: [{ label: 'a' }, { label: 'a' }] }, ['config.segments[1].label']],
    ['segment named like the default', { segments: [{ label: 'general' }] }, ['config.segments[0].label']],
    ['boost weight out of range', { segments: [{ label: 'a', boost: { tags: { ai: 20 } } }] }, ['config.segments[0].boost.tags.ai']],
    ['unknown boost kind', { segments: [{ label: 'a', boost: { authors: { x: 1 } } }] }, ['authors']],
    ['more than 16 segments', { segments: Array.from({ length: 17 }, (_, i) => ({ label: `s${i}` })) }, ['config.segments']],
    ['population of an unknown label', { label: { populations: { ghosts: 10 } } }, ['config.label.populations.ghosts']],
    ['randomRate above 1', { label: { randomRate: 2 } }, ['config.label.randomRate']],
    ['epsilon too small', { label: { epsilon: 0 } }, ['config.label.epsilon']],
    ['excludeSeen not a boolean', { ranking: { excludeSeen: 'yes' } }, ['config.ranking.excludeSeen']],
    ['negative weight', { ranking: { weights: { popularity: -1 } } }, ['config.ranking.weights.popularity']],
    ['unknown weight', { ranking: { weights: { recency: 1 } } }, ['recency']],
    ['sensitiveTags not a list', { sensitiveTags: 'health' }, ['config.sensitiveTags']],
    ['pin without position', { editorial: { pins: [{ item: itemId(1) }] } }, ['config.editorial.pins[0].position']],
    ['two pins at one position', { editorial: { pins: [{ item: itemId(1), position: 1 }, { item: itemId(2), position: 1 }] } }, ['config.editorial.pins[1]']],
    ['pin for an unknown segment', { editorial: { pins: [{ item: itemId(1), position: 1, segment: 'vips' }] } }, ['config.editorial.pins[0].segment', 'vips']],
    ['built-in context key declared', { context: { keys: ['daypart'] } }, ['config.context.keys[0]']],
    ['context rule on an unknown key', { context: { rules: [{ when: { weather: ['rain'] } }] } }, ['config.context.rules[0].when.weather']],
    ['context rule on an unknown daypart', { context: { rules: [{ when: { daypart: ['teatime'] } }] } }, ['teatime']],
  ];
  for (const [what, config, mentions] of cases) {
    await expectCode(() => open({ catalog, config }), 'bad_config', ...mentions).catch((e) => {
      e.message = `${what}: ${e.message}`;
      throw e;
    });
    await expectCode(() => open({ catalog, config: JSON.stringify(config) }), 'bad_config', ...mentions);
  }
});

test('config as text must be a JSON object; other types are refused', async () => {
  await expectCode(() => open({ catalog, config: '{"privacyLevel": "none"' }), 'bad_json');
  await expectCode(() => open({ catalog, config: '[]' }), 'bad_config');
  await expectCode(() => open({ catalog, config: '"none"' }), 'bad_config');
  for (const bad of [5, true, [], null]) await expectCode(() => open({ catalog, config: bad }), 'bad_argument');
  const { engine } = await open({ catalog, config: '{"privacyLevel": "segment"}' });
  assert.equal(engine.level, 'segment');
  const empty = await open({ catalog, config: {} });
  assert.equal(empty.engine.level, 'behavioral');
});

test('the limits are enforced with too_large or a named error', async () => {
  const many = { version: 1, items: Array.from({ length: 1001 }, (_, i) => ({ id: `i${i}` })) };
  const { engine } = await open({ catalog: many });
  await expectCode(() => engine.recommend({ k: 1001 }), 'bad_argument', 'k');
  assert.equal(engine.recommend({ k: 1000 }).length, 1000);
  await expectCode(() => engine.recommend({ exclude: Array.from({ length: 10001 }, (_, i) => `i${i}`) }), 'too_large');
  await expectCode(() => open({ catalog, config: { traits: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`t${i}`, ['a']])) } }), 'bad_config', 'config.traits');
});

test('NaN and ±Infinity in a catalog object are refused, naming the item index, its id and the field', async () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const field of ['popularity', 'publishedAt']) {
      /* JSON would write null (an absent field) and the packed form reads NaN as absent */
      await expectCode(() => open({ catalog: withItem(3, { [field]: bad }) }), 'bad_catalog', 'items[3]', itemId(3), field);
    }
    await expectCode(() => open({ catalog: { ...withItem(4, { vector: [1, bad] }), dim: 2 } }), 'bad_catalog', 'items[4]', itemId(4), 'vector[1]');
    await expectCode(() => open({ catalog: withItem(5, { neighbors: [[itemId(1), bad]] }) }), 'bad_catalog', 'items[5]', itemId(5), 'neighbors[0]');
  }
  await expectCode(() => open({ catalog: withItem(3, { popularity: NaN }) }), 'bad_catalog', 'popularity" must be a finite number, got NaN');
  /* an item the glue does not pack goes to the core as JSON: still refused */
  await expectCode(() => open({ catalog: withItem(3, { popularity: NaN, tags: 'not-a-list' }) }), 'bad_catalog', 'items[3]');
  await expectCode(() => open({ catalog: { ...withItem(3, { popularity: NaN }), extra: 1 } }), 'bad_catalog');
});

test('NaN and ±Infinity in config are refused by name before JSON turns them into null', async () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    await expectCode(() => open({ catalog, config: { ranking: { diversity: bad } } }), 'bad_config',
      `config.ranking.diversity: expected a finite number, got ${bad}`);
    await expectCode(() => open({ catalog, config: { segments: [{ label: 'a', boost: { tags: { ai: bad } } }] } }), 'bad_config',
      'config.segments[0].boost.tags.ai', String(bad));
    await expectCode(() => open({ catalog, config: { label: { populations: { general: bad } } } }), 'bad_config',
      'config.label.populations.general', String(bad));
  }
});
