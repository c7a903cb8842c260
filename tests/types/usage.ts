// A typed usage example: compiled by tests/js/types.test.js against js/index.d.ts.
import { createEngine, AttuneError, MemoryStorage, packCatalog } from 'attune';
import type { Catalog, Config, Recommendation, InventoryRow, Explanation, Level, StorageAdapter } from 'attune';

const config: Config = {
  privacyLevel: 'behavioral',
  history: { size: 100, retentionDays: 30 },
  traits: { plan: ['free', 'pro'] },
  segments: [{ label: 'pro', when: { plan: ['pro'] }, boost: { tags: { advanced: 0.5 } } }],
  label: { k: 50, populations: { pro: 1200 }, epsilon: null },
  ranking: { maxPerCategory: 3, weights: { popularity: 0.3 } },
  editorial: { pins: [{ item: 'a1', position: 1 }] },
  model: { vectors: 'int8' },
};

const storage: StorageAdapter = new MemoryStorage();

const catalog: Catalog = { version: 1, items: [{ id: 'a1', tags: ['ai'], popularity: 3, url: '/a1' }] };
/* the packed form, as bytes or their buffer; null when the glue leaves the catalog to the core */
const packed: Uint8Array | null = packCatalog(catalog);

async function fromPacked(): Promise<string[]> {
  const ids: string[] = [];
  for (const source of packed ? [packed, packed.slice().buffer, new URL('https://example.com/catalog.attc')] : []) {
    const engine = await createEngine({ catalog: source, storage: 'memory' });
    ids.push(...engine.recommend().map((r) => r.id));
    engine.close();
  }
  return ids;
}

async function main(): Promise<number> {
  const engine = await createEngine({
    catalog,
    config,
    storage,
    now: () => Date.now(),
    on: { error: (e: AttuneError) => console.warn(e.code) },
  });
  await engine.setTraits({ plan: 'pro' });
  await engine.track({ item: 'a1', type: 'click', at: new Date() });
  const recs: Recommendation[] = engine.recommend({ k: 5, filter: { tags: ['ai'] } });
  const why: Explanation = engine.explain('a1');
  const rows: InventoryRow[] = engine.inventory();
  const level: Level = engine.level;
  const offReason: string | null = engine.degraded ? engine.degradedReason : null;
  const payload: { segment: string } | null = engine.serverPayload();
  const stop = engine.on('change', (e) => console.log(e.reason, e.level));
  stop();
  try {
    await engine.setPrivacyLevel('segment');
  } catch (err) {
    if (err instanceof AttuneError && err.code === 'level_not_allowed') return 0;
  }
  const exported = await engine.export();
  await engine.import(exported);
  await engine.block({ tag: 'ai' });
  await engine.forget();
  await engine.flush();
  engine.close();
  return recs.length + why.contributions.length + rows.length + level.length + (payload ? 1 : 0) + (offReason ?? '').length + engine.metrics().total.clicks +
    (engine.privacyReport().label.epsilonPerEpoch ?? 0);
}

void main();
void fromPacked();
