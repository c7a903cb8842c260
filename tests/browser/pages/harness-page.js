// What every test page exposes to the tests as window.T (no inline scripts: the pages run
// under a strict Content-Security-Policy).
import { catalog } from './catalog.js';

/** Reads every record of an IndexedDB database straight from IndexedDB. */
export function readIDB(name = 'attune') {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(name);
    req.onerror = () => fail(req.error);
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('profiles')) {
        db.close();
        ok([]);
        return;
      }
      const tx = db.transaction('profiles', 'readonly');
      const all = tx.objectStore('profiles').getAll();
      all.onsuccess = () => {
        db.close();
        ok(all.result.map((r) => ({ id: r.id, rev: r.rev, bytes: Array.from(r.bytes) })));
      };
      all.onerror = () => fail(all.error);
    };
  });
}

export function install(createEngine, MemoryStorage, extra = {}) {
  const errors = [];
  const T = {
    errors,
    engine: null,
    async create(options = {}) {
      T.engine = await createEngine({ catalog: catalog(), on: { error: (e) => errors.push({ code: e.code, message: e.message }) }, ...options });
      return T.engine.level;
    },
    readIDB,
    /** Decodes stored snapshot bytes with the engine itself and returns the export. */
    async decode(bytes) {
      const storage = new MemoryStorage();
      await storage.save('x', Uint8Array.from(bytes));
      const e = await createEngine({ catalog: catalog(), storage, profileId: 'x' });
      const out = await e.export();
      e.close();
      return out;
    },
    ...extra,
  };
  window.T = T;
  document.body.dataset.ready = 'yes';
}
