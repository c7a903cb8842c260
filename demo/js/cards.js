/**
 * Story cards: the "For you" cards with "Why this?" and "Not interested", and the plain
 * section cards.  No innerHTML anywhere: every text goes in as text.
 */
import { CATEGORIES, artwork, h, levelInfo, tagName, timeAgo, setChildren } from './site.js';

export function articleHref(id) {
  return `article.html?id=${encodeURIComponent(id)}`;
}

function meta(item) {
  return h('p.meta', {},
    h('time', { datetime: new Date(item.publishedAt).toISOString() }, timeAgo(item.publishedAt)),
    item.readMinutes ? ` · ${item.readMinutes} min read` : '');
}

function kicker(item, extra) {
  return h(`p.kicker.kicker-${item.category}`, {}, CATEGORIES[item.category] ?? item.category, extra);
}

/**
 * A recommendation card.
 * @param {object} item catalog item
 * @param {{ reasons: string[], editorial?: true }} rec
 * @param {number} position 1-based place in its list
 * @param {{ onOpen(item, position, event), onWhy(item, position, button), onBlock(target, item) }} on
 */
export function recommendationCard(item, rec, position, on) {
  const link = h('a.card-link', { href: articleHref(item.id) }, item.title);
  link.addEventListener('click', (e) => on.onOpen(item, position, e));
  const why = h('button.chip-button.why-button', { type: 'button', 'aria-haspopup': 'dialog' }, 'Why this?');
  why.setAttribute('aria-label', `Why this? ${item.title}`);
  why.addEventListener('click', () => on.onWhy(item, position, why));
  const pick = rec.editorial ? h('span.pick', {}, "Editors' pick") : null;
  return h('li.card', { dataset: { id: item.id, position: String(position) } },
    h('article.card-inner', {},
      artwork(item),
      h('div.card-body', {},
        kicker(item, pick),
        h('h3.card-title', {}, link),
        h('p.reason', {}, rec.reasons[0] ?? ''),
        meta(item),
        h('div.card-actions', {}, why, notInterested(item, on.onBlock)))));
}

let menuSeq = 0;
/** "Not interested": hide this story, or stories with one of its tags (engine.block). */
export function notInterested(item, onBlock, { label = 'Not interested' } = {}) {
  const id = `ni-${++menuSeq}`;
  const button = h('button.chip-button.ni-button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': id }, label);
  button.setAttribute('aria-label', `${label}: ${item.title}`);
  const choose = (target) => {
    close();
    onBlock(target, item);
  };
  const menu = h('ul.ni-menu', { id, hidden: true },
    h('li', {}, h('button', { type: 'button', onclick: () => choose({ item: item.id }) }, 'Hide this story')),
    item.tags.map((tag) => h('li', {}, h('button', { type: 'button', dataset: { tag }, onclick: () => choose({ tag }) },
      'Fewer stories about ', h('span.tag', {}, `#${tagName(tag)}`)))));
  const wrap = h('div.ni', {}, button, menu);
  function close(focus = false) {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    wrap.closest('.card')?.classList.remove('menu-open');
    document.removeEventListener('click', outside, true);
    if (focus) button.focus();
  }
  function outside(e) {
    if (!wrap.contains(e.target)) close();
  }
  button.addEventListener('click', () => {
    if (!menu.hidden) return close();
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    /* lifts the card above the next one, whose link would otherwise cover the menu (style.css) */
    wrap.closest('.card')?.classList.add('menu-open');
    menu.querySelector('button').focus();
    document.addEventListener('click', outside, true);
  });
  wrap.addEventListener('focusout', (e) => {
    if (!menu.hidden && e.relatedTarget && !wrap.contains(e.relatedTarget)) close();
  });
  wrap.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !menu.hidden) {
      e.stopPropagation();
      close(true);
    }
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !menu.hidden) {
      const items = [...menu.querySelectorAll('button')];
      const i = items.indexOf(document.activeElement);
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next.focus();
      e.preventDefault();
    }
  });
  return wrap;
}

/** A section story: "lead" (big, with artwork and standfirst) or "compact". */
export function sectionStory(item, kind = 'compact') {
  if (kind === 'lead') {
    return h('article.story.story-lead', {},
      artwork(item, 'wide'),
      h('h3.story-title', {}, h('a', { href: articleHref(item.id) }, item.title)),
      h('p.standfirst', {}, item.summary ?? ''),
      meta(item));
  }
  return h('article.story', {},
    h('h3.story-title', {}, h('a', { href: articleHref(item.id) }, item.title)),
    meta(item));
}

/* --- "Why this?" ---------------------------------------------------------------------------- */

const SIGNALS = {
  popularity: 'Popular',
  freshness: 'New',
  segment: 'Readers like you',
  affinity: 'Your interests',
  category: 'Your sections',
  related: 'Related to what you read',
  editorial: "Editors' pick",
  context: 'Right now',
  model: 'Your taste model',
  exploration: 'Something new',
};

function signalName(s) {
  return SIGNALS[s] ?? s.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

let dialog = null;
function whyDialog() {
  if (dialog) return dialog;
  dialog = h('dialog.why-dialog', { 'aria-labelledby': 'why-title' });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); }); /* backdrop */
  document.body.append(dialog);
  return dialog;
}

/**
 * Opens the explanation of one item: explain()'s contributions, with their weights and reasons.
 * @param {object} engine
 * @param {object} item
 * @param {object} context
 * @param {number | null} position where the visitor saw it (1-based) or null
 */
export function showWhy(engine, item, context, position, returnFocus) {
  const ex = engine.explain(item.id, context);
  const d = whyDialog();
  const contributions = [...ex.contributions].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const max = Math.max(1e-9, ...contributions.map((c) => Math.abs(c.weight)));
  const rows = contributions.map((c) => {
    const bar = h(`span.bar${c.weight < 0 ? '.bar-neg' : ''}`);
    bar.style.setProperty('--w', `${(Math.abs(c.weight) / max) * 100}%`);
    return h('tr', {},
      h('th', { scope: 'row' }, signalName(c.signal),
        h('span.level-tag', {}, c.level === 'none' ? 'Any level' : `${levelInfo(c.level)?.name ?? c.level} level`)),
      h('td.num', {}, (c.weight >= 0 ? '+' : '−') + Math.abs(c.weight).toFixed(3)),
      h('td.barcell', {}, bar),
      h('td', {}, c.reason));
  });
  const where = position ? `#${position} in your list` : 'Not in your list right now';
  const excluded = ex.excluded ? h('p.note', {}, `Not in your list now. ${ex.excluded.replace(/\.?$/, '.')}`) : null;
  setChildren(d, 
    h('div.dialog-head', {},
      h('h2', { id: 'why-title' }, 'Why this story?'),
      h('button.icon-button', { type: 'button', 'aria-label': 'Close', onclick: () => d.close() }, '×')),
    h('p.dialog-item', {}, item.title),
    h('p.dialog-sub', {}, `${where} · level ${levelInfo(ex.level)?.name ?? ex.level}`,
      ex.segment ? ` · segment “${ex.segment}”` : ''),
    excluded,
    h('div.table-wrap', {},
      h('table.why-table', {},
        h('caption', {}, `Score ${ex.score.toFixed(3)}: the sum of these contributions`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Signal'), h('th', { scope: 'col' }, 'Weight'),
          h('th.barcell', { scope: 'col' }, h('span.visually-hidden', {}, 'Share')), h('th', { scope: 'col' }, 'Reason'))),
        h('tbody', {}, rows))),
    h('p.dialog-foot', {}, 'Worked out on this device by Attune: nothing was sent to compute it. ',
      h('a', { href: 'privacy.html#inventory-h' }, 'See what this device keeps')));
  const restore = () => {
    d.removeEventListener('close', restore);
    returnFocus?.focus();
  };
  d.addEventListener('close', restore);
  if (!d.open) d.showModal();
  d.querySelector('.icon-button').focus();
}
