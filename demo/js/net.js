/**
 * The request log behind "What the server sees".  Every fetch this page makes (the story list,
 * the Attune engine, the segment picks) goes through a wrapper installed before anything else
 * runs, and is listed with what it carries about the visitor.  Only sendLabel() ever puts
 * something about the visitor in a request: the segment label, as the file name.
 */

const entries = [];
const listeners = new Set();
const carried = new Map(); /* path -> what that request carries about the visitor */
let installed = false;

function notify() {
  for (const fn of listeners) fn(entries);
}

/** What a request is, in words, for the log (by path; nothing here is sent). */
function describe(path) {
  if (path.endsWith('/catalog.json')) return 'The story list (the same file for every visitor)';
  if (path.endsWith('.wasm')) return 'The Attune engine (the same file for every visitor)';
  if (path.includes('/segments/')) return 'Picks for readers like you, chosen by the segment label';
  return 'A file of the site';
}

/** Wraps window.fetch once.  Call before anything fetches. */
export function installRequestLog() {
  if (installed) return;
  installed = true;
  const original = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const req = input instanceof Request ? input : null;
    const url = new URL(req ? req.url : String(input), location.href);
    const path = url.origin === location.origin ? url.pathname + url.search : url.href;
    const entry = {
      at: Date.now(),
      method: (init.method ?? req?.method ?? 'GET').toUpperCase(),
      path,
      what: describe(url.pathname),
      body: init.body === undefined || init.body === null ? null : String(init.body),
      carries: carried.get(path) ?? null,
      status: 'pending',
    };
    entries.push(entry);
    notify();
    return original(input, init).then((res) => {
      entry.status = res.status;
      notify();
      return res;
    }, (err) => {
      entry.status = 'failed';
      notify();
      throw err;
    });
  };
}

/** Every request so far, oldest first (copies). */
export function requests() {
  return entries.map((e) => ({ ...e }));
}

/** Calls fn(entries) now and after every change; returns an unsubscribe function. */
export function onRequests(fn) {
  listeners.add(fn);
  fn(entries);
  return () => listeners.delete(fn);
}

/**
 * Fetches the static picks for a server payload ({ segment }) — the one request that carries
 * anything about the visitor, and all it carries is the label.
 */
export async function sendLabel(payload) {
  const path = new URL(`segments/${encodeURIComponent(payload.segment)}.json`, location.href).pathname;
  carried.set(path, { segment: payload.segment });
  const res = await fetch(path, { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
  return res.json();
}
