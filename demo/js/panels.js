/**
 * The transparency panels: what the server sees (the request log), the reader-type controls,
 * the level radio group, the inventory with expiry countdowns, and the engagement figures.
 */
import { LEVELS, TRAITS } from './config.js';
import { onRequests } from './net.js';
import { attempt, countdown, dateTime, h, levelInfo, percent, rememberLevel, toast, setChildren } from './site.js';

/* --- what the server sees ------------------------------------------------------------------ */

function logEntry(e) {
  const status = h(`span.status${(typeof e.status === 'number' && e.status < 400) || e.status === 'done' ? '.ok' : ''}`, {}, String(e.status));
  if (e.kind === 'file') {
    /* the page's own files: one line each, and what they carry said once for all of them */
    return h('li.log-entry.log-file', { dataset: { path: e.path } },
      h('div.log-line', {}, h('span.method', {}, e.method), h('code.path', {}, e.path), status),
      h('p.log-what', {}, e.what, ' · carries ', h('span.nothing', {}, 'nothing about you')));
  }
  return h(`li.log-entry.log-${e.kind}`, { dataset: { path: e.path } },
    h('div.log-line', {},
      h('span.method', {}, e.method),
      h('code.path', {}, e.path),
      status),
    h('p.log-what', {}, e.what),
    h('p.log-carries', {}, 'Carries: ',
      e.carries ? h('code.payload', {}, JSON.stringify(e.carries)) : h('span.nothing', {}, 'nothing about you'),
      e.body ? h('span', {}, ' · body ', h('code', {}, e.body)) : ' · no body, no cookies'));
}

/**
 * Every request this page made: its fetches (the story list, the engine, the segment picks),
 * then, folded, the files the browser loaded for the page itself.  The summary names every
 * distinct thing about the visitor that any request carried.
 */
export function requestLog(container) {
  const summary = h('p.log-summary');
  const list = h('ol.log.log-fetches', { 'aria-label': 'Requests for data this page made' });
  const filesList = h('ol.log', { 'aria-label': 'The page’s own files' });
  const filesSummary = h('summary');
  const files = h('details.log-files', {}, filesSummary, filesList);
  setChildren(container, summary, list, files);
  onRequests((entries) => {
    const payloads = [...new Set(entries.filter((e) => e.carries).map((e) => JSON.stringify(e.carries)))];
    const codes = payloads.flatMap((p, i) => [i ? ', ' : '', h('code.payload', {}, p)]);
    setChildren(summary, !payloads.length
      ? h('span', {}, 'This page has sent nothing about you.')
      : payloads.length === 1
        ? h('span', {}, 'About you, this page sent only ', codes, '.')
        : h('span', {}, `About you, this page sent only these ${payloads.length} labels, each in its own request: `, codes, '.'));
    const own = entries.filter((e) => e.kind === 'file');
    setChildren(list, ...entries.filter((e) => e.kind !== 'file').map(logEntry));
    files.hidden = !own.length;
    filesSummary.textContent = `And ${own.length} request${own.length === 1 ? '' : 's'} for the page’s own files (the page, its style sheet, scripts and icon): the same files for every visitor, carrying nothing about you`;
    setChildren(filesList, ...own.map(logEntry));
  });
}

/* --- reader type and edition --------------------------------------------------------------- */

/** The traits the visitor declared (from their own export; nothing leaves the device). */
export async function declaredTraits(engine) {
  const out = {};
  if (!engine) return out;
  const data = await engine.export();
  for (const [name, t] of Object.entries(data.traits ?? {})) out[name] = t?.value ?? t;
  return out;
}

let traitSeq = 0;
/**
 * Reader type (radio buttons shown as pills) and edition (a select).
 * @param {(traits: object) => void} onChange after the engine took the change
 */
export async function traitControls(container, engine, onChange) {
  const current = await declaredTraits(engine);
  const off = !engine || engine.level === 'none';
  const n = ++traitSeq;
  const apply = (name, value) => attempt(async () => {
    await engine.setTraits({ [name]: value || null });
    const now = await declaredTraits(engine);
    clear.disabled = !now.reader && !now.edition;
    onChange?.(now);
  });
  const reader = TRAITS.reader;
  const pills = h('div.pills', {}, Object.entries(reader.values).map(([value, v]) => {
    const input = h('input', { type: 'radio', name: `reader-${n}`, value, id: `reader-${n}-${value}`, disabled: off });
    input.checked = current.reader === value;
    input.addEventListener('change', () => apply('reader', value));
    return h('span.pill', {}, input, h('label', { for: `reader-${n}-${value}`, title: v.hint }, v.label));
  }));
  const select = h('select', { id: `edition-${n}`, disabled: off },
    h('option', { value: '' }, 'International'),
    Object.entries(TRAITS.edition.values).map(([value, v]) => h('option', { value }, v.label)));
  select.value = current.edition ?? '';
  select.addEventListener('change', () => apply('edition', select.value));
  const clear = h('button.link-button', { type: 'button', disabled: off || (!current.reader && !current.edition) }, 'Clear');
  clear.addEventListener('click', () => attempt(async () => {
    await engine.setTraits({ reader: null, edition: null });
    for (const input of pills.querySelectorAll('input')) input.checked = false;
    select.value = '';
    clear.disabled = true;
    select.focus();
    onChange?.({});
  }));
  setChildren(container, 
    h('fieldset.traits', {},
      h('legend', {}, reader.question),
      pills),
    h('div.edition', {}, h('label', { for: `edition-${n}` }, TRAITS.edition.question), select, clear),
    ...(off ? [h('p.note', {}, 'Personalisation is off, so nothing you pick here would be kept.')] : []));
}

/* --- the level ------------------------------------------------------------------------------ */

const rank = (level) => LEVELS.findIndex((l) => l.level === level);

/** What moving down to `level` would delete: the stored, non-empty rows only higher levels keep. */
function wouldDelete(engine, level) {
  return engine.inventory().filter((r) => r.stored && r.count > 0 && rank(r.level) > rank(level))
    .map((r) => r.what);
}

/**
 * What the engine says a level keeps, as a sentence: privacyReport().storedByLevel gives
 * "nothing", a list, or "+ a list" (what it keeps on top of the level below).
 */
function keepsSentence(keeps) {
  if (!keeps) return null;
  if (keeps === 'nothing') return 'Keeps nothing: the front page is the same for everyone.';
  return keeps.startsWith('+ ') ? `Also keeps ${keeps.slice(2)}.` : `Keeps ${keeps}.`;
}

/**
 * The five levels as a radio group, each with what it keeps in the engine's own words.
 * Choosing one does not apply it yet (arrow keys move through radios, and a downgrade deletes):
 * a confirmation says what would be deleted, or what would be kept from now on, and Apply makes
 * the change.
 */
export function levelControl(container, engine, onChange) {
  const report = engine?.privacyReport();
  const stored = new Map((report?.storedByLevel ?? []).map((s) => [s.level, keepsSentence(s.keeps)]));
  const group = h('fieldset.levels', {},
    h('legend.visually-hidden', {}, 'Personalisation level'),
    LEVELS.map((l, i) => {
      const id = `level-${l.level}`;
      const keeps = stored.get(l.level);
      const input = h('input', { type: 'radio', name: 'level', value: l.level, id, 'aria-describedby': keeps ? `${id}-keeps` : null });
      input.checked = engine?.level === l.level;
      input.disabled = !engine || engine.degraded; /* the fallback engine has only level none */
      input.addEventListener('change', () => propose(l.level));
      return h('div.level-option', { dataset: { level: l.level } },
        input,
        h('label', { for: id }, h('span.level-step', { 'aria-hidden': 'true' }, String(i)), h('span.level-name', {}, l.name),
          h('span.level-now', {}, 'in use')),
        keeps ? h('p.level-keeps', { id: `${id}-keeps` }, keeps) : null);
    }));
  /* the engine's figures for the history, from the same report */
  const limits = report?.historySize
    ? h('p.note.level-limits', {}, `Interactions are kept for ${report.retentionDays} days, at most the last ${report.historySize} of them. The lists above are Attune’s own report of what each level keeps.`)
    : h('p.note.level-limits', {}, 'Attune could not start in this browser, so it keeps nothing at any level, and the level cannot be changed.');
  const confirm = h('div.level-confirm', { id: 'level-confirm', role: 'region', 'aria-live': 'polite', 'aria-label': 'Confirm the level' });
  confirm.hidden = true;

  function reset() {
    confirm.hidden = true;
    setChildren(confirm);
    for (const input of group.querySelectorAll('input')) input.checked = input.value === engine?.level;
    for (const option of group.querySelectorAll('.level-option')) option.classList.toggle('current', option.dataset.level === engine?.level);
  }

  function propose(level) {
    if (level === engine.level) return reset();
    const down = rank(level) < rank(engine.level);
    const gone = down ? wouldDelete(engine, level) : [];
    const name = levelInfo(level).name;
    const apply = h(`button.button${down && gone.length ? '.button-danger' : ''}`, { type: 'button', id: 'level-apply' },
      down && gone.length ? `Delete and switch to ${name}` : `Switch to ${name}`);
    apply.addEventListener('click', () => choose(level));
    const cancel = h('button.button.button-secondary', { type: 'button', onclick: reset }, 'Cancel');
    setChildren(confirm,
      h('p.level-confirm-text', {}, h('strong', {}, `Switch to ${name}? `), down
        ? (gone.length ? 'This deletes at once, from memory and from this browser’s storage:' : 'Nothing stored needs deleting.')
        : level === 'none' ? '' : 'It starts keeping more from now on; nothing from before is invented.'),
      gone.length ? h('ul.level-gone', {}, gone.map((g) => h('li', {}, g))) : null,
      h('div.dialog-buttons', {}, cancel, apply));
    confirm.hidden = false;
  }

  async function choose(level) {
    await attempt(async () => {
      const down = rank(level) < rank(engine.level);
      await engine.setPrivacyLevel(level);
      rememberLevel(level);
      toast(down ? `Level set to ${levelInfo(level).name}. What it does not keep was deleted.`
        : `Level set to ${levelInfo(level).name}.`);
    });
    reset();
    group.querySelector(`input[value="${engine.level}"]`)?.focus();
    onChange?.();
  }
  setChildren(container, group, limits, confirm);
  reset();
}

/* --- inventory ------------------------------------------------------------------------------ */

const KEPT_UNTIL = {
  level: 'Until you change it',
  blocked: 'Until you unblock it',
};

/** The live inventory() as a table; expiry countdowns tick every second. */
export function inventoryTable(container, engine) {
  const rows = engine ? engine.inventory() : [];
  if (!rows.length) {
    setChildren(container, h('p.empty', {}, engine
      ? 'Nothing. At this level Attune keeps no data on this device, and nothing is sent.'
      : 'Attune is not running, so nothing is kept.'));
    return;
  }
  const table = h('table.inventory', { id: 'inventory' },
    h('caption.visually-hidden', {}, 'Every kind of data kept on this device'),
    h('thead', {}, h('tr', {}, ['What is kept', 'Why', 'Count', 'Oldest', 'Deleted in', 'Level', 'Leaves the device']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', { dataset: { key: r.key } },
      h('th', { scope: 'row' }, r.what, r.stored ? null : h('span.not-stored', {}, 'computed in memory, not stored')),
      h('td.why', {}, r.why),
      h('td.num', { dataset: { label: 'Count' } }, String(r.count)),
      h('td', { dataset: { label: 'Oldest' } }, r.oldest ? dateTime(r.oldest) : '—'),
      h('td.expiry', { dataset: { label: 'Deleted in', ...(r.expiresAt ? { expires: String(r.expiresAt) } : {}) } },
        r.expiresAt ? countdown(r.expiresAt) : (r.stored ? (KEPT_UNTIL[r.key] ?? '—') : 'Not stored')),
      h('td', { dataset: { label: 'Level' } }, h('span.level-tag', {}, levelInfo(r.level)?.name ?? r.level)),
      h('td', { dataset: { label: 'Leaves the device' } }, r.leavesDevice
        ? h('span.leaves', {}, 'Only this label, when the site asks')
        : h('span.stays', {}, 'Never'))))));
  setChildren(container, h('div.table-wrap', {}, table));
}

/** Updates every countdown on the page once a second. */
export function tickCountdowns() {
  setInterval(() => {
    const now = Date.now();
    for (const td of document.querySelectorAll('td.expiry[data-expires]')) {
      td.textContent = countdown(Number(td.dataset.expires), now);
    }
  }, 1000);
}

/* --- engagement ----------------------------------------------------------------------------- */

export function metricsPanel(container, engine) {
  if (!engine) {
    setChildren(container);
    return;
  }
  const m = engine.metrics();
  const levels = LEVELS.map((l) => ({ ...l, counts: m.levels[l.level] }));
  const summary = h('table.metrics', { id: 'metrics' },
    h('caption', {}, m.since ? `Counted on this device since ${dateTime(m.since)}` : 'Nothing counted yet'),
    h('thead', {}, h('tr', {}, ['Level', 'Shown', 'Clicked', 'Click-through'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, levels.map((l) => h(`tr${engine.level === l.level ? '.current' : ''}`, {},
      h('th', { scope: 'row' }, l.name),
      h('td.num', {}, String(l.counts.impressions)),
      h('td.num', {}, String(l.counts.clicks)),
      h('td.num', {}, percent(l.counts.ctr))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'All'), h('td.num', {}, String(m.total.impressions)),
      h('td.num', {}, String(m.total.clicks)), h('td.num', {}, percent(m.total.ctr)))));
  const used = levels.filter((l) => l.counts.positions.length);
  let byPosition = h('p.note', {}, 'Positions appear once recommendations have been shown.');
  if (used.length) {
    const positions = [...new Set(used.flatMap((l) => l.counts.positions.map((p) => p.position)))]
      .sort((a, b) => (a ?? 99) - (b ?? 99));
    const cell = (l, pos) => {
      const p = l.counts.positions.find((x) => x.position === pos);
      if (!p) return h('td.num', {}, '—');
      const bar = h('span.bar');
      bar.style.setProperty('--w', `${Math.min(100, (p.ctr ?? 0) * 100)}%`);
      return h('td.pos', {}, h('div.pos-row', {}, h('span.track', {}, bar),
        h('span.pos-figures', {}, `${p.clicks}/${p.impressions}`, h('span.ctr', {}, percent(p.ctr)))));
    };
    byPosition = h('div.table-wrap', {}, h('table.positions', {},
      h('caption', {}, 'Clicks / times shown, by position in the list'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Position'), used.map((l) => h('th', { scope: 'col' }, l.name)))),
      h('tbody', {}, positions.map((pos) => h('tr', {},
        h('th', { scope: 'row' }, pos === null ? 'Elsewhere' : pos === 20 ? '20+' : String(pos)),
        used.map((l) => cell(l, pos)))))));
  }
  setChildren(container, h('div.table-wrap', {}, summary), byPosition);
}
