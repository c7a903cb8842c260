/**
 * "Your data" — the privacy panel.  This page uses the <script> include (dist/attune.js and its
 * global `Attune`); the other pages use the ES module build.
 */
import { inventoryTable, levelControl, metricsPanel, requestLog, tickCountdowns, traitControls } from './panels.js';
import {
  attempt, currentContext, describeContext, fillDateline, forgetSiteStorage, h, levelInfo, openSite, rememberLevel, tagName, toast, setChildren,
} from './site.js';

const $ = (id) => document.getElementById(id);
const ctx = currentContext();
fillDateline();
requestLog($('request-log'));
tickCountdowns();

if (!window.Attune) throw new Error('attune.js did not load');
const { engine, byId } = await openSite(window.Attune.createEngine);

/**
 * The label this device reported this period, from the visitor's own export (the memo the
 * inventory lists).  Reads both shapes the export has had: { reported } and { answers: [...] }.
 */
function reportedLabel(data, local) {
  const memo = data?.serverLabel;
  if (!memo) return null;
  if (Array.isArray(memo.answers)) return (memo.answers.find((a) => a.truth === local) ?? memo.answers.at(-1))?.reported ?? null;
  return memo.reported ?? null;
}

/* --- the summary at the top -------------------------------------------------------------- */

async function renderSummary() {
  const level = engine?.level ?? 'none';
  const kept = engine ? engine.inventory().filter((r) => r.stored && r.count > 0).length : 0;
  const data = engine ? await engine.export() : null;
  const reported = level === 'none' ? null : reportedLabel(data, engine.segment());
  setChildren($('summary'), 
    h('div.fact', {}, h('p.fact-label', {}, 'Personalisation'), h('p.fact-value', {}, levelInfo(level).name)),
    h('div.fact', {}, h('p.fact-label', {}, 'Kinds of data kept here'), h('p.fact-value', {}, String(kept))),
    h('div.fact', {}, h('p.fact-label', {}, 'The site was told'),
      h('p.fact-value', {}, reported ? h('code.payload', {}, JSON.stringify({ segment: reported })) : 'Nothing')));
}

/* --- the label ---------------------------------------------------------------------------- */

async function renderLabel() {
  const box = $('label-explainer');
  if (!engine || engine.level === 'none') {
    setChildren(box, h('p', {}, 'At this level the site is told nothing at all: ', h('code', {}, 'serverPayload()'), ' is ', h('code', {}, 'null'), '.'));
    return;
  }
  const report = engine.privacyReport();
  const data = await engine.export();
  const local = engine.segment();
  const reported = reportedLabel(data, local);
  const { k, populations } = engine.config.label;
  const lines = [
    h('li', {}, 'Your segment, worked out on this device: ', h('span.segment-chip', {}, local), ` (from your reader type, edition and how often you visit).`),
  ];
  if (reported) {
    lines.push(h('li', {}, 'Reported to the site this week: ', h('code.payload', {}, JSON.stringify({ segment: reported })), '.'));
    if (reported !== local) {
      lines.push(h('li', {}, populations && (populations[local] ?? 0) < k
        ? `They differ because fewer than ${k} readers share “${local}”: a label that rare could single you out, so the site is told “${reported}”.`
        : 'They differ because this week’s answer was drawn at random, on purpose: that is what makes any single label deniable.'));
    }
  } else {
    lines.push(h('li', {}, 'Nothing has been reported yet: the front page asks when it loads.'));
  }
  const rr = report.label;
  const answers = `${rr.disclosures} randomised answer${rr.disclosures === 1 ? '' : 's'} so far`;
  lines.push(h('li', {}, `The answer is drawn once per ${rr.epochDays}-day period for each segment you are in, and then kept, so asking again reveals nothing new. `,
    rr.randomRate !== null ? `There is a ${Math.round(rr.randomRate * 100)} % chance it is a random label. ` : '',
    rr.epsilonPerEpoch !== null
      ? `Privacy loss: ε = ${rr.epsilonPerEpoch.toFixed(2)} per answer; ${answers}, ε = ${(rr.cumulativeEpsilon ?? 0).toFixed(2)} in total.`
      : `${answers[0].toUpperCase()}${answers.slice(1)}.`));
  setChildren(box, h('ul.facts', {}, lines));
}

/* --- blocked ------------------------------------------------------------------------------ */

async function renderBlocked() {
  const box = $('blocked');
  if (!engine) return;
  const { blocked } = await engine.export();
  /* the fallback engine (no wasm) exports no blocked lists */
  const tags = (blocked?.tags ?? []).map((t) => t.tag ?? t);
  const items = (blocked?.items ?? []).map((t) => t.item ?? t);
  if (!tags.length && !items.length) {
    setChildren(box, h('p.note', {}, 'You have not said “not interested” to anything. Use the button on any recommendation.'));
    return;
  }
  const chip = (text, target) => h('li.blocked-chip', {}, text,
    h('button.icon-button', {
      type: 'button',
      'aria-label': `Show ${text} again`,
      onclick: () => attempt(async () => {
        await engine.unblock(target);
        toast(`${text} can be recommended again.`);
        await renderAll();
      }),
    }, '×'));
  setChildren(box, h('p', {}, 'You said you are not interested in:'),
    h('ul.blocked-list', {},
      tags.map((t) => chip(`#${tagName(t)}`, { tag: t })),
      items.map((id) => chip(byId.get(id)?.title ?? id, { item: id }))));
}

/* --- export, import, forget ----------------------------------------------------------------- */

function setUpControls() {
  $('export').addEventListener('click', () => attempt(async () => {
    const data = await engine.export();
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `meridian-profile-${new Date().toISOString().slice(0, 10)}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    toast('Your profile was saved as a JSON file. It never went to a server.');
  }));
  $('import-file').addEventListener('change', (e) => attempt(async () => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    /* the visitor's words first; what exactly was wrong is secondary */
    const refuse = (why, detail) => toast(`${why} Nothing was imported; your data is as it was.`, { detail });
    let data;
    try {
      data = JSON.parse(await file.text());
    } catch (err) {
      refuse(`“${file.name}” is not an Attune export.`, `It is not JSON (${err.message}).`);
      return;
    }
    if (data?.format !== 'attune-profile') {
      refuse(`“${file.name}” is not an Attune export.`, 'An export says "format": "attune-profile"; this file does not.');
      return;
    }
    if (data.level === 'none') {
      refuse(`“${file.name}” was exported with personalisation off, so it holds no profile.`);
      return;
    }
    try {
      /* The file's level comes with it.  Otherwise a profile imported while the site remembers
         "Off" (passed to the engine as its configured level) would be cut down to nothing. */
      await engine.import({ ...data, levelChosen: true });
    } catch (err) {
      refuse(err.code === 'newer_version'
        ? `“${file.name}” was made by a newer version of Attune than this site runs.`
        : `“${file.name}” is not an Attune export, or it is damaged.`, err.message);
      return;
    }
    rememberLevel(engine.level);
    toast(`Imported “${file.name}”. Personalisation is ${levelInfo(engine.level).name}, as in the file.`);
    await renderAll(true);
  }));
  const dialog = $('forget-dialog');
  $('forget').addEventListener('click', () => dialog.showModal());
  $('forget-cancel').addEventListener('click', () => dialog.close());
  $('forget-confirm').addEventListener('click', () => attempt(async () => {
    dialog.close();
    await engine.forget();
    forgetSiteStorage();
    toast('Done. Nothing about you is stored on this device.');
    await renderAll(true);
    $('forget').focus();
  }));
  for (const id of ['export', 'forget', 'import-file']) $(id).disabled = !engine;
}

/* --- everything ----------------------------------------------------------------------------- */

/** levelToo: the level changed without the level control (import, forget): redraw the controls. */
async function renderAll(levelToo = false) {
  if (levelToo) {
    renderLevel();
    await traitControls($('traits-box'), engine, () => renderAll());
  }
  inventoryTable($('inventory-box'), engine);
  metricsPanel($('metrics-box'), engine);
  await Promise.all([renderSummary(), renderLabel(), renderBlocked()]);
}

function renderLevel() {
  levelControl($('level-box'), engine, async () => {
    await traitControls($('traits-box'), engine, () => renderAll());
    await renderAll();
  });
}

$('context-now').textContent = `Right now this is ${describeContext(ctx)}.`;
renderLevel();
await traitControls($('traits-box'), engine, () => renderAll());
setUpControls();
await renderAll();
if (engine) {
  let queued = false;
  engine.on('change', (e) => {
    /* another tab, or retention, changed the profile: refresh the figures (not the controls) */
    if (queued || e.reason === 'level' || e.reason === 'forget' || e.reason === 'import') return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      renderAll(e.reason === 'sync');
    });
  });
}
document.body.dataset.ready = 'yes';
