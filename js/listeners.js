/**
 * An engine's 'change' and 'error' listeners.  A listener that throws never breaks the engine
 * or the listeners after it: a throwing 'change' listener is handed to `onThrow` (the engine
 * reports it as an error); one that throws on an error has nothing left to tell.
 */
import { badArgument, describe } from './errors.js';

export class Listeners {
  #sets = { change: new Set(), error: new Set() };
  #onThrow;

  /** @param {(name: string, err: unknown) => void} [onThrow] */
  constructor(onThrow = () => {}) {
    this.#onThrow = onThrow;
  }

  /** Adds `fn` for 'change' or 'error'; returns a function that removes it. */
  on(name, fn) {
    if (!Object.hasOwn(this.#sets, name)) throw badArgument(`on: unknown event ${describe(name)}; use "change" or "error"`);
    if (typeof fn !== 'function') throw badArgument('on: the listener must be a function');
    this.#sets[name].add(fn);
    return () => this.#sets[name].delete(fn);
  }

  emit(name, detail) {
    for (const fn of this.#sets[name]) {
      try {
        fn(detail);
      } catch (err) {
        if (name !== 'error') this.#onThrow(name, err);
      }
    }
  }
}
