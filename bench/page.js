// Measured in the page: IndexedDB save/load through the real adapter, and cold start.
import { createEngine } from '/js/index.js';
import { IndexedDBStorage } from '/js/storage/indexeddb.js';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

window.benchIndexedDB = async () => {
  const items = Array.from({ length: 500 }, (_, i) => ({ id: `i${i}`, tags: [`t${i % 30}`] }));
  const engine = await createEngine({ catalog: { version: 1, items }, dbName: 'bench', saveDelayMs: 0 });
  for (let i = 0; i < 100; i++) await engine.track({ item: `i${i}`, type: 'view' });
  await engine.flush();
  const bytes = (await new IndexedDBStorage({ dbName: 'bench' }).load('default')).bytes;
  const storage = new IndexedDBStorage({ dbName: 'bench' });
  await storage.load('default');
  const save = [];
  const load = [];
  for (let i = 0; i < 40; i++) {
    let t = performance.now();
    await storage.save('default', bytes);
    save.push(performance.now() - t);
    t = performance.now();
    await storage.load('default');
    load.push(performance.now() - t);
  }
  return { save: median(save), load: median(load) };
};

/* from the page's script running to the first ranked list: wasm fetched and compiled (nothing
   is cached in a fresh context), catalog fetched and loaded, one recommend */
window.coldStart = async (url) => {
  const t = performance.now();
  const engine = await createEngine({ catalog: url, storage: 'memory' });
  engine.recommend({ k: 10 });
  return performance.now() - t;
};
