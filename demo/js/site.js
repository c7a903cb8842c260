/**
 * What every page of The Meridian shares: opening the engine (with the request log in place
 * first), the reading context, the remembered "Off" choice, formatting, the header's level
 * badge, story cards' artwork and the toast.  Pages pass in createEngine, so this module works
 * with the ES module build and with the <script> include alike.
 */
import { CONFIG, LEVELS } from './config.js';
import { installRequestLog } from './net.js';

export const CATEGORIES = {
  world: 'World', tech: 'Tech', science: 'Science', business: 'Business', sport: 'Sport', culture: 'Culture',
  health: 'Health',
};

/* --- the level a visitor turned off ---------------------------------------------------------
   At level none Attune stores nothing, not even that choice, so the site remembers "Off"
   itself (and only that) and passes it as the configured level on the next visit. */
const OFF_KEY = 'meridian.personalisation';

export function rememberedOff() {
  try {
    return localStorage.getItem(OFF_KEY) === 'off';
  } catch {
    return false;
  }
}

export function rememberLevel(level) {
  try {
    if (level === 'none') localStorage.setItem(OFF_KEY, 'off');
    else localStorage.removeItem(OFF_KEY);
  } catch { /* storage blocked: the choice lasts for this page only */ }
}

export function forgetSiteStorage() {
  try {
    localStorage.removeItem(OFF_KEY);
  } catch { /* nothing to remove */ }
}

/* --- context ------------------------------------------------------------------------------ */

/** The device class from the viewport (no user agent sniffing). */
export function deviceClass() {
  if (matchMedia('(max-width: 599px)').matches) return 'mobile';
  if (matchMedia('(max-width: 1023px)').matches) return 'tablet';
  return 'desktop';
}

/** The context passed to recommend/track/explain: from the clock and a viewport check. */
export function currentContext(now = new Date()) {
  return { hour: now.getHours(), weekday: now.getDay(), device: deviceClass() };
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function daypart(hour) {
  if (hour >= 5 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 17) return 'afternoon';
  if (hour >= 17 && hour < 22) return 'evening';
  return 'night';
}

/** "a Saturday evening on a desktop" */
export function describeContext(ctx) {
  const device = ctx.device === 'desktop' ? 'a desktop' : ctx.device === 'tablet' ? 'a tablet' : 'a phone';
  return `a ${DAYS[ctx.weekday]} ${daypart(ctx.hour)} on ${device}`;
}

/* --- the engine --------------------------------------------------------------------------- */

/**
 * Loads the catalog (once: the engine gets the same text) and creates the engine.
 * @returns {Promise<{ engine: import('../attune/js/index.js').Engine | null, catalog: object, byId: Map<string, object>, error: Error | null }>}
 */
export async function openSite(createEngine, { onError } = {}) {
  installRequestLog();
  const res = await fetch('catalog.json');
  if (!res.ok) throw new Error(`could not load the story list (HTTP ${res.status})`);
  const text = await res.text();
  const catalog = JSON.parse(text);
  const byId = new Map(catalog.items.map((it) => [it.id, it]));
  const config = { ...CONFIG, privacyLevel: rememberedOff() ? 'none' : CONFIG.privacyLevel };
  let engine = null;
  let error = null;
  try {
    engine = await createEngine({
      catalog: text,
      config,
      on: {
        error: (e) => {
          console.warn(`Attune: ${e.code}: ${e.message}`);
          onError?.(e);
          toast(`Attune: ${e.message}`);
        },
      },
    });
  } catch (e) {
    error = e;
    console.warn(`Attune could not start: ${e.message}`);
  }
  if (engine) {
    engine.on('change', () => updateLevelBadge(engine));
    updateLevelBadge(engine);
  }
  return { engine, catalog, byId, error };
}

export function levelInfo(level) {
  return LEVELS.find((l) => l.level === level);
}

/** The header's "Your data" badge: the current level. */
export function updateLevelBadge(engine) {
  const badge = document.getElementById('level-badge');
  if (badge) badge.textContent = engine ? levelInfo(engine.level).name : 'Unavailable';
}

/** Today's date in the masthead. */
export function fillDateline() {
  const el = document.getElementById('dateline');
  if (el) {
    el.textContent = new Date().toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  }
}

/* --- formatting --------------------------------------------------------------------------- */

export function timeAgo(ms, now = Date.now()) {
  const m = Math.max(0, Math.round((now - ms) / 60000));
  if (m < 60) return m <= 1 ? 'just now' : `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 14) return `${d} days ago`;
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
}

/** "29 d 23:59:12" until `at` (ms since 1970). */
export function countdown(at, now = Date.now()) {
  let s = Math.max(0, Math.floor((at - now) / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d ? `${d} d ` : ''}${hh}:${mm}:${ss}`;
}

export function dateTime(ms) {
  return new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function percent(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`;
}

const TAG_NAMES = { ai: 'AI', un: 'UN', 'open-source': 'open source', 'mental-health': 'mental health' };
/** A tag as a label: "#open source". */
export function tagName(tag) {
  return TAG_NAMES[tag] ?? tag.replace(/-/g, ' ');
}

const TOPIC_NAMES = { europe: 'Europe', asia: 'Asia', africa: 'Africa', americas: 'the Americas', un: 'the UN' };
/** A tag in a sentence: "the Americas". */
export function topicName(tag) {
  return TOPIC_NAMES[tag] ?? tagName(tag);
}

/* --- DOM helpers -------------------------------------------------------------------------- */

/** h('a.card-link', { href }, 'text', child) — a tiny element builder (no innerHTML). */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** el.replaceChildren(...) without the null, false and undefined that conditional parts leave. */
export function setChildren(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
/** Line icons, drawn for this site on a 24×24 grid. */
const ICONS = {
  world: ['c:12,12,9', 'M3 12h18', 'M12 3c3.2 3.6 3.2 14.4 0 18', 'M12 3c-3.2 3.6-3.2 14.4 0 18'],
  tech: ['M7 7h10v10H7z', 'M10 10h4v4h-4z', 'M9 3v4M15 3v4M9 17v4M15 17v4M3 9h4M3 15h4M17 9h4M17 15h4'],
  science: ['e:0', 'e:60', 'e:120', 'c:12,12,1.4'],
  business: ['M3 17l6-6 4 4 8-8', 'M15 7h6v6', 'M3 21h18'],
  sport: ['M8 21h8M12 16v5', 'M7 4h10v5a5 5 0 0 1-10 0z', 'M7 6H4.5a2.5 2.5 0 0 0 2.7 3.4', 'M17 6h2.5a2.5 2.5 0 0 1-2.7 3.4'],
  culture: ['M9 18V5l11-2v13', 'c:6.5,18,2.5', 'c:17.5,16,2.5'],
  health: ['M12 20s-7.5-4.6-7.5-10.2A4 4 0 0 1 12 7.4a4 4 0 0 1 7.5 2.4C19.5 15.4 12 20 12 20z', 'M7 12h2.5l1.5-2.5 2 5 1.5-2.5H17'],
  shield: ['M12 3l7.5 3v5.5c0 4.6-3.1 7.9-7.5 9.5-4.4-1.6-7.5-4.9-7.5-9.5V6z', 'M9 12l2 2 4-4'],
};

export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ICONS[name] ?? []) {
    let el;
    if (d.startsWith('c:')) {
      const [cx, cy, r] = d.slice(2).split(',');
      el = document.createElementNS(SVG, 'circle');
      el.setAttribute('cx', cx);
      el.setAttribute('cy', cy);
      el.setAttribute('r', r);
    } else if (d.startsWith('e:')) {
      el = document.createElementNS(SVG, 'ellipse');
      el.setAttribute('cx', '12');
      el.setAttribute('cy', '12');
      el.setAttribute('rx', '9.5');
      el.setAttribute('ry', '3.6');
      el.setAttribute('transform', `rotate(${d.slice(2)} 12 12)`);
    } else {
      el = document.createElementNS(SVG, 'path');
      el.setAttribute('d', d);
    }
    svg.append(el);
  }
  return svg;
}

/** A small stable number from a string (artwork variety). */
export function hash(s) {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
}

/** A story's artwork: the section's colours, a per-story angle and shade, and its icon. */
export function artwork(item, size = '') {
  const n = hash(item.id);
  const art = h(`div.art.art-${item.category}${size ? `.art-${size}` : ''}`, { 'aria-hidden': 'true' }, icon(item.category, 'art-icon'));
  /* CSSOM, not a style attribute: allowed under the site's Content-Security-Policy */
  art.style.setProperty('--angle', `${(n % 8) * 45}deg`);
  art.style.setProperty('--shade', `${(n >> 3) % 5}`);
  art.style.setProperty('--spot-x', `${20 + ((n >> 6) % 60)}%`);
  art.style.setProperty('--spot-y', `${20 + ((n >> 12) % 60)}%`);
  return art;
}

/* --- toast -------------------------------------------------------------------------------- */

let toastTimer = null;
/**
 * A polite status message at the bottom of the screen, with an optional action ({ label, run })
 * and an optional detail: a secondary line in smaller type (e.g. the engine's own error message).
 */
export function toast(message, { action, detail } = {}) {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div.toast', { id: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  box.replaceChildren(h('div.toast-text', {}, h('span', {}, message), detail ? h('span.toast-detail', {}, detail) : null));
  if (action) {
    box.append(h('button.toast-action', { type: 'button', onclick: () => { box.classList.remove('show'); action.run(); } }, action.label));
  }
  box.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove('show'), action || detail ? 8000 : 4000);
}

/** Runs fn, turning an AttuneError into a toast instead of an uncaught rejection. */
export async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    console.warn(e);
    toast(e?.message ?? String(e));
    return undefined;
  }
}
