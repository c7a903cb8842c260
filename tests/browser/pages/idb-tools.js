// Raw IndexedDB access for the storage tests: what the database really holds, read without
// going through the engine, and a recorder of the transactions the page opens.  A test page
// loads it with `await import('/tests/browser/pages/idb-tools.js')`.

function request(r) {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

/** The names of the databases that exist (uses `databases`, saved before a test removes it). */
const databases = IDBFactory.prototype.databases;
export async function databaseNames() {
  return (await databases.call(indexedDB)).map((d) => d.name).sort();
}

/** Every record of `store` in database `name` ([] when the database or store is missing). */
export async function all(store, name = 'attune') {
  if (!(await databaseNames()).includes(name)) return []; /* never create one by looking */
  const db = await request(indexedDB.open(name));
  try {
    if (!db.objectStoreNames.contains(store)) return [];
    return await request(db.transaction(store, 'readonly').objectStore(store).getAll());
  } finally {
    db.close();
  }
}

/** The items in the history of a snapshot (decoded by an engine in memory), sorted. */
export async function itemsOf(bytes) {
  return (await window.T.decode(Array.from(bytes))).history.map((h) => h.item).sort();
}

/** The history items stored for `profileId`, or null when it has no record. */
export async function storedItems(profileId = 'default', name = 'attune') {
  const rec = (await all('profiles', name)).find((r) => r.id === profileId);
  return rec ? itemsOf(rec.bytes) : null;
}

/** Resolves true once `pred()` (maybe async) holds, false if it does not within `ms`. */
export async function until(pred, ms = 10000) {
  const end = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/**
 * Records every transaction the page opens from now on as { db, stores, mode, durability }
 * (mode and durability as the created transaction reports them), calling `onCreate(entry)`
 * at creation.  Returns the live list.
 */
export function recordTransactions(onCreate = () => {}) {
  const log = [];
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    const entry = { db: this.name, stores: [].concat(stores).join(','), mode: tx.mode, durability: tx.durability };
    log.push(entry);
    onCreate(entry);
    return tx;
  };
  return log;
}
