/**
 * The in-memory storage adapter (the default under Node).  It keeps snapshot bytes exactly as
 * a persistent adapter would, so saving and loading go through the same code as in browsers.
 * Share one instance between engines to simulate reloads.
 */
export class MemoryStorage {
  #records = new Map();
  #quarantined = new Map();

  async load(profileId) {
    const bytes = this.#records.get(profileId);
    return bytes ? bytes.slice() : null;
  }

  async save(profileId, bytes) {
    this.#records.set(profileId, Uint8Array.from(bytes));
  }

  async remove(profileId) {
    this.#records.delete(profileId);
  }

  /** Keeps damaged bytes aside instead of deleting them. */
  async quarantine(profileId, bytes) {
    this.#quarantined.set(profileId, Uint8Array.from(bytes));
    this.#records.delete(profileId);
  }

  /** What is stored for a profile (a copy), or null — for tests and tools. */
  peek(profileId) {
    const bytes = this.#records.get(profileId);
    return bytes ? bytes.slice() : null;
  }

  /** The quarantined bytes of a profile, or null. */
  peekQuarantine(profileId) {
    const bytes = this.#quarantined.get(profileId);
    return bytes ? bytes.slice() : null;
  }

  /** Every profile id with a stored record. */
  keys() {
    return [...this.#records.keys()];
  }

  close() {}
}
