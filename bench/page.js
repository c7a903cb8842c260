// Measured in the page: IndexedDB save/load through the real adapter, and cold start.
import { createEngine } from '/js/index.js';
import { IndexedDBStorage } from '/js/storage/indexeddb.js';
import { Core } from '/js/wasm.js';

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

/* where a cold start's time goes, phase by phase, through the core's own calls: the wasm
   compiled and the catalog fetched side by side (as createEngine does), the catalog loaded
   (the first call of that code: V8's baseline tier), the first and second recommend */
window.coldPhases = async (url) => {
  const t0 = performance.now();
  const [module, catalog] = await Promise.all([
    WebAssembly.compileStreaming(fetch('/dist/attune.wasm')),
    fetch(url).then((r) => r.arrayBuffer()),
  ]);
  const t1 = performance.now();
  const core = new Core(module);
  core.withInputs([new Uint8Array(catalog)], (p, n) => core.check(core.x.att_load_catalog(core.h, p, n, Date.now())));
  const t2 = performance.now();
  core.check(core.x.att_recommend(core.h, 0, 0, Date.now()));
  const t3 = performance.now();
  core.check(core.x.att_recommend(core.h, 0, 0, Date.now()));
  const t4 = performance.now();
  core.free();
  return { fetch: t1 - t0, load: t2 - t1, first: t3 - t2, second: t4 - t3 };
};
