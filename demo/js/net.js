/**
 * The request log behind "What the server sees".  Every fetch this page makes (the story list,
 * the Attune engine, the segment picks) goes through a wrapper installed before anything else
 * runs, and is listed with what it carries about the visitor.  Only sendLabel() ever puts
 * something about the visitor in a request: the segment label, as the file name.
 *
 * The browser's own requests — the page itself, its style sheet, scripts and icon — come from
 * the Performance API (navigation and resource entries) and are listed too, as kind 'file'.
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
  if (path.includes('/attune/') && path.endsWith('.js')) return 'Code of the Attune engine';
  if (path.endsWith('.js')) return 'Code of this site';
  if (path.endsWith('.css')) return 'The style sheet';
  if (path.endsWith('.svg') || path.endsWith('.ico')) return 'The site’s icon, asked for by the browser';
  return 'A file of the site';
}

/** A path as the log shows it: path and query on this origin, the whole URL elsewhere. */
function shortPath(url) {
  return url.origin === location.origin ? url.pathname + url.search : url.href;
}

/**
 * Adds a navigation or resource timing entry as a 'file' request.  A fetch() already in the
 * log (it went through the wrapper) is not listed twice.
 */
function addTiming(t) {
  const url = new URL(t.name, location.href);
  const path = shortPath(url);
  const navigation = t.entryType === 'navigation';
  if (!navigation && (t.initiatorType === 'fetch' || t.initiatorType === 'xmlhttprequest')
    && entries.some((e) => e.kind === 'fetch' && e.path === path)) return;
  entries.push({
    kind: 'file',
    at: performance.timeOrigin + t.startTime,
    method: 'GET',
    path,
    what: navigation ? 'This page: as on any website, its address tells the server which page was asked for' : describe(url.pathname),
    body: null,
    carries: null,
    status: t.responseStatus || 'done',
  });
}

function watchTimings() {
  if (typeof PerformanceObserver === 'undefined') return;
  for (const t of performance.getEntriesByType('navigation')) addTiming(t);
  try {
    new PerformanceObserver((list) => {
      for (const t of list.getEntries()) addTiming(t);
      entries.sort((a, b) => a.at - b.at);
      notify();
    }).observe({ type: 'resource', buffered: true });
  } catch { /* no resource timing here: the log lists this page's fetches only */ }
}

/** Wraps window.fetch once.  Call before anything fetches. */
export function installRequestLog() {
  if (installed) return;
  installed = true;
  const original = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const req = input instanceof Request ? input : null;
    const url = new URL(req ? req.url : String(input), location.href);
    const path = shortPath(url);
    const entry = {
      kind: 'fetch',
      at: performance.timeOrigin + performance.now(),
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
  watchTimings();
  notify();
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
