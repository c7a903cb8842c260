/**
 * The front page (ES module build): the "For you" rail ranked by Attune, the picks the
 * newsroom publishes for the visitor's segment label, the request log, and the sections.
 */
import { createEngine } from '../attune/js/index.js';
import { SEGMENT_COPY } from './config.js';
import { sendLabel } from './net.js';
import { recommendationCard, sectionStory, showWhy, articleHref } from './cards.js';
import { requestLog, traitControls } from './panels.js';
import {
  CATEGORIES, attempt, currentContext, describeContext, fillDateline, h, levelInfo, tagName, toast, openSite, setChildren,
} from './site.js';

const RAIL_SIZE = 8;
const ctx = currentContext();
const $ = (id) => document.getElementById(id);

fillDateline();
requestLog($('request-log'));
addEventListener('pageshow', (e) => { if (e.persisted) location.reload(); }); /* back/forward cache: rank afresh */

const { engine, catalog, byId } = await openSite(createEngine);
const impressed = new Set(); /* items already counted as shown in this page view */
let railIds = [];

/* --- For you ------------------------------------------------------------------------------ */

const handlers = {
  onOpen(item, position, e) {
    if (!engine) return;
    const plain = e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
    const href = e.currentTarget.href;
    const tracked = engine.track({ item: item.id, type: 'click' }, ctx);
    if (!plain) return;
    e.preventDefault();
    /* the click reaches IndexedDB before the next page opens the profile */
    tracked.then(() => Promise.race([engine.flush(), new Promise((r) => setTimeout(r, 1000))]))
      .catch((err) => console.warn(err))
      .finally(() => { location.href = href; });
  },
  onWhy(item, position, button) {
    showWhy(engine, item, ctx, position, button);
  },
  onBlock(target, item) {
    attempt(async () => {
      await engine.block(target);
      const what = target.item ? `“${item.title}” is hidden` : `Fewer stories about #${tagName(target.tag)}`;
      toast(engine.level === 'none' ? 'Hidden on this page only: personalisation is off, so nothing is kept.' : `${what}. Attune will not rank it again.`, {
        action: {
          label: 'Undo',
          run: () => attempt(async () => {
            await engine.unblock(target);
            await renderAll();
          }),
        },
      });
      await renderAll();
    });
  },
};

function contextLine() {
  const line = $('foryou-context');
  if (!engine) {
    line.textContent = 'Attune could not start here, so this is the same list every visitor gets.';
    return;
  }
  const level = engine.level;
  const name = levelInfo(level).name;
  const text = {
    none: 'Personalisation is off: the most popular and newest stories, the same for everyone.',
    segment: 'Ranked on this device from the reader type you picked.',
    behavioral: 'Ranked on this device from what you read here.',
    contextual: `Ranked on this device from what you read, for ${describeContext(ctx)}.`,
    individual: `Ranked on this device by your own taste model, for ${describeContext(ctx)}.`,
  }[level];
  setChildren(line, text, ' ', h('a', { href: 'privacy.html' }, `Level: ${name}`));
}

async function renderRail() {
  const rail = $('rail');
  contextLine();
  if (!engine) {
    const top = [...catalog.items].sort((a, b) => b.popularity - a.popularity).slice(0, RAIL_SIZE);
    railIds = top.map((it) => it.id);
    setChildren(rail, ...top.map((it, i) => recommendationCard(it, { reasons: ['Popular on this site'] }, i + 1, {
      onOpen() {}, onWhy() {}, onBlock() {},
    })));
    for (const b of rail.querySelectorAll('.card-actions button')) b.disabled = true;
    return;
  }
  const recs = engine.recommend({ k: RAIL_SIZE, context: ctx });
  railIds = recs.map((r) => r.id);
  setChildren(rail, ...recs.map((r, i) => recommendationCard(byId.get(r.id), r, i + 1, handlers)));
  rail.dataset.level = engine.level;
  if (!recs.length) {
    setChildren(rail, h('li.rail-empty', {}, 'Nothing left to suggest: you have read or hidden everything that would fit. ',
      h('a', { href: 'privacy.html#inventory-h' }, 'Review what you hid')));
  }
  /* each recommendation shown counts once per page view, at its position */
  for (const r of recs) {
    if (impressed.has(r.id)) continue;
    impressed.add(r.id);
    await engine.track({ item: r.id, type: 'impression' }, ctx);
  }
}

/* --- readers like you: the one request that carries anything about the visitor ----------- */

let picksFor = undefined;
async function renderPicks() {
  const box = $('picks');
  if (!engine) {
    setChildren(box, h('p.note', {}, 'Attune is not running, so the site was told nothing.'));
    return;
  }
  const payload = engine.serverPayload();
  if (!payload) {
    picksFor = null;
    setChildren(box, h('p.note', {}, 'Personalisation is off, so the site is told nothing about you and has no picks for you.'));
    return;
  }
  if (picksFor === payload.segment) return;
  picksFor = payload.segment;
  setChildren(box, h('p.note', {}, 'Asking the newsroom…'));
  let data;
  try {
    data = await sendLabel(payload);
  } catch (e) {
    setChildren(box, h('p.note', {}, `The picks could not be loaded (${e.message}).`));
    return;
  }
  const local = engine.segment();
  const { k, populations } = engine.config.label;
  let why;
  if (local === payload.segment) {
    why = `Your device is in the “${local}” segment, and that label is all the site was told.`;
  } else if (populations && (populations[local] ?? 0) < k) {
    why = `Your device is in the “${local}” segment, but fewer than ${k} readers share it, so the site was told “${payload.segment}” instead.`;
  } else {
    /* deniable, not secret: the engine's own keep probability says how often the true label goes */
    const keep = engine.privacyReport().label.keepProbability;
    why = `Your device is in the “${local}” segment, but this week it reports “${payload.segment}”: an answer drawn at random, on purpose. `
      + `That makes any single label deniable, not secret: a device reports its true segment ${Math.round(keep * 100)} % of the time.`;
  }
  setChildren(box, 
    h('p.picks-title', {}, h('span.segment-chip', {}, data.label), ' ', SEGMENT_COPY[data.label] ?? data.title),
    h('ol.picks', {}, data.items.filter((it) => byId.has(it.id)).map((it) =>
      h('li', {}, h('a', { href: articleHref(it.id) }, it.title), h('span.picks-cat', {}, CATEGORIES[it.category] ?? '')))),
    h('p.note', {}, why));
}

/* --- sections ------------------------------------------------------------------------------- */

async function renderSections() {
  let blocked = { tags: [], items: [] };
  if (engine) {
    const data = await engine.export();
    /* the fallback engine (no wasm) exports no blocked lists */
    blocked = { tags: (data.blocked?.tags ?? []).map((t) => t.tag ?? t), items: (data.blocked?.items ?? []).map((t) => t.item ?? t) };
  }
  const hidden = (it) => blocked.items.includes(it.id) || it.tags.some((t) => blocked.tags.includes(t)) || railIds.includes(it.id);
  const newest = [...catalog.items].sort((a, b) => b.publishedAt - a.publishedAt);
  setChildren($('sections'), ...Object.entries(CATEGORIES).map(([cat, name]) => {
    const items = newest.filter((it) => it.category === cat && !hidden(it)).slice(0, 5);
    if (!items.length) return '';
    const [lead, ...rest] = items;
    return h(`section.section.section-${cat}`, { id: cat, 'aria-labelledby': `${cat}-h` },
      h('h2.section-title', { id: `${cat}-h` }, name),
      h('div.section-grid', {}, sectionStory(lead, 'lead'), h('div.section-list', {}, rest.map((it) => sectionStory(it)))));
  }));
}

async function renderAll() {
  await renderRail();
  await renderSections();
}

if (engine) {
  await traitControls($('tune'), engine, async () => {
    await renderRail();
    await renderSections();
    await renderPicks();
  });
  engine.on('change', (e) => {
    if (e.reason === 'sync') renderAll(); /* another tab changed the profile */
  });
}
await renderAll();
await renderPicks();
document.body.dataset.ready = 'yes';
if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
