/**
 * An article page (ES module build): records the view, offers "Not interested" for the story
 * and each of its tags, explains why it would rank, and shows more stories for the visitor.
 */
import { createEngine } from '../attune/js/index.js';
import { articleBody } from './copy.js';
import { articleHref, notInterested, recommendationCard, showWhy } from './cards.js';
import { requestLog } from './panels.js';
import {
  CATEGORIES, artwork, attempt, currentContext, fillDateline, h, tagName, timeAgo, toast, openSite, setChildren,
} from './site.js';

const ctx = currentContext();
const $ = (id) => document.getElementById(id);
fillDateline();
requestLog($('request-log'));
addEventListener('pageshow', (e) => { if (e.persisted) location.reload(); });

const id = new URLSearchParams(location.search).get('id');
const { engine, byId } = await openSite(createEngine);
const item = byId.get(id);

/** Hides a sidebar panel that has nothing to show. */
function hidePanel(id) {
  $(id).closest('.panel').hidden = true;
}

function notFound() {
  document.title = 'Story not found — The Meridian';
  setChildren($('story'), 
    h('h1', {}, 'Story not found'),
    h('p', {}, 'That story is not in The Meridian. ', h('a', { href: 'index.html' }, 'Back to the front page')));
  /* more and related stories are chosen from the story: there is none */
  hidePanel('more');
  hidePanel('related');
}

const sensitive = (it) => (engine?.config.sensitiveTags ?? []).filter((t) => it.tags.includes(t) || it.category === t);

function onBlock(target, it) {
  attempt(async () => {
    await engine.block(target);
    const what = target.item ? `“${it.title}” will not be recommended to you again` : `Fewer stories about #${tagName(target.tag)} from now on`;
    toast(engine.level === 'none' ? 'Hidden on this page only: personalisation is off, so nothing is kept.' : `${what}.`, {
      action: {
        label: 'Undo',
        run: () => attempt(async () => {
          await engine.unblock(target);
          await renderMore();
        }),
      },
    });
    await renderMore();
  });
}

function renderStory() {
  document.title = `${item.title} — The Meridian`;
  $('story').classList.add(`section-${item.category}`);
  const { paragraphs, quote } = articleBody(item);
  const why = h('button.chip-button', { type: 'button', 'aria-haspopup': 'dialog', disabled: !engine }, 'Why would Attune rank this?');
  why.addEventListener('click', () => showWhy(engine, item, ctx, null, why));
  const kept = sensitive(item);
  setChildren($('story'), 
    h('p', { class: `kicker kicker-${item.category}` }, h('a', { href: `index.html#${item.category}` }, CATEGORIES[item.category])),
    h('h1.article-title', {}, item.title),
    h('p.standfirst.article-standfirst', {}, item.summary ?? ''),
    h('p.byline', {}, 'By ', h('strong', {}, item.author ?? 'The Meridian'), ' · ',
      h('time', { datetime: new Date(item.publishedAt).toISOString() },
        new Date(item.publishedAt).toLocaleString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })),
      ` (${timeAgo(item.publishedAt)})`, item.readMinutes ? ` · ${item.readMinutes} min read` : ''),
    artwork(item, 'hero'),
    kept.length ? h('p.sensitive', { role: 'note' }, h('strong', {}, 'A sensitive topic. '),
      `Attune does not learn from stories about ${kept.map(tagName).join(', ')}: that you read this is not kept on your device.`) : null,
    h('div.article-body', {},
      paragraphs.slice(0, 2).map((p) => h('p', {}, p)),
      h('blockquote.pull', {}, h('p', {}, `“${quote}”`)),
      paragraphs.slice(2).map((p) => h('p', {}, p)),
      h('p.synthetic', {}, 'This story is synthetic: The Meridian is a demonstration site for Attune.')),
    h('div.article-tools', {},
      h('ul.tags', { 'aria-label': 'Topics' }, item.tags.map((t) => h('li.tag-chip', {}, `#${tagName(t)}`))),
      h('div.tool-buttons', {}, why, engine ? notInterested(item, onBlock) : null)));
}

function renderRelated() {
  const related = (item.neighbors ?? []).map(([nid]) => byId.get(nid)).filter(Boolean).slice(0, 4);
  if (!related.length) hidePanel('related');
  setChildren($('related'), ...related.map((it) => h('li', {},
    h('a', { href: articleHref(it.id) }, it.title),
    h('span.picks-cat', {}, CATEGORIES[it.category]))));
}

const impressed = new Set();
async function renderMore() {
  const list = $('more');
  if (!engine) {
    hidePanel('more');
    return;
  }
  const recs = engine.recommend({ k: 4, exclude: [item.id], context: ctx });
  if (!recs.length) {
    setChildren(list, h('li.rail-empty', {}, 'Nothing left to suggest: you have read or hidden everything that would fit. ',
      h('a', { href: 'privacy.html#inventory-h' }, 'Review what you hid')));
    return;
  }
  setChildren(list, ...recs.map((r, i) => recommendationCard(byId.get(r.id), r, i + 1, {
    onOpen(it, position, e) {
      const plain = e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
      const href = e.currentTarget.href;
      const tracked = engine.track({ item: it.id, type: 'click' }, ctx);
      if (!plain) return;
      e.preventDefault();
      tracked.then(() => Promise.race([engine.flush(), new Promise((res) => setTimeout(res, 1000))]))
        .catch((err) => console.warn(err))
        .finally(() => { location.href = href; });
    },
    onWhy: (it, position, button) => showWhy(engine, it, ctx, position, button),
    onBlock,
  })));
  /* these sit below the story: count them as shown once they are on screen */
  const seen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      seen.unobserve(e.target);
      const rid = e.target.dataset.id;
      if (impressed.has(rid)) continue;
      impressed.add(rid);
      engine.track({ item: rid, type: 'impression' }, ctx).catch((err) => console.warn(err));
    }
  }, { threshold: 0.5 });
  for (const li of list.children) seen.observe(li);
}

if (!item) {
  notFound();
} else {
  renderStory();
  renderRelated();
  if (engine) await attempt(() => engine.track({ item: item.id, type: 'view' }, ctx));
  await renderMore();
}
document.body.dataset.ready = 'yes';
