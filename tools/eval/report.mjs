/**
 * Writing the report: markdown (tables, verdicts, notes), JSON (everything, machine-readable)
 * and an SVG chart of lift against privacy cost per level, drawn by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { confidenceText } from './metrics.mjs';

const LEVEL_COLORS = { none: '#777777', segment: '#1b9e77', behavioral: '#d95f02', contextual: '#7570b3', individual: '#e7298a' };

const num = (x, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
const int = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Math.round(x).toLocaleString('en-US'));
const pct = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)} %` : 'n/a');
const liftCell = (l) => (l ? `${pct(l.lift)} (${pct(l.lo)} … ${pct(l.hi)})` : '—');
/** A signed difference of means, 3 decimals: +0.012 / −0.004. */
const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}` : 'n/a');
/** A paired difference with its interval, and whether the interval lies above or below 0. */
const diffCell = (d) => {
  if (!d || !Number.isFinite(d.diff)) return 'n/a';
  const side = d.lo > 0 ? ', above 0' : d.hi < 0 ? ', below 0' : '';
  return `${signed(d.diff)} (${signed(d.lo)} … ${signed(d.hi)}${side})`;
};
const claimText = ([lo, hi]) => `+${Math.round(lo * 100)}–${Math.round(hi * 100)} %`;
const plural = (n, one, many) => `${int(n)} ${n === 1 ? one : many}`;
/** "among the first 10 shown", or for k = 1 "the first one shown". */
const shownText = (k) => (k === 1 ? 'the first one shown' : `among the first ${k} shown`);

export const SYNTHETIC_NOTE = 'These figures come from a synthetic population (tools/eval/synth.mjs) whose structure was planted ' +
  'so that tests can check orderings. They are not evidence about real users: the lifts are lifts on the planted structure.';
export const REAL_NOTE = 'Offline replay measures how well each level predicts the next item a user chose in your logs; it is ' +
  'a proxy for engagement, not a measurement of it (the logs were produced under whatever ranking you ran then). ' +
  'Synthetic data is not evidence about real users; these numbers come from your own logs.';

/** A markdown table; columns whose cells are all figures are right-aligned. */
function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const figure = (c) => /^[\d+−—-]/.test(String(c)) || /^n\/a/.test(String(c));
  const align = head.map((_, i) => (i > 0 && rows.every((r) => figure(r[i])) ? '---:' : '---'));
  return [line(head), line(align), ...rows.map(line)].join('\n');
}

/** The markdown report. */
export function markdown(r) {
  const out = [];
  const levels = r.settings.levels;
  const loo = r.protocols.leaveLastOut;
  const ts = r.protocols.timeSplit;
  const ev = r.inputs.events;
  const k = r.settings.k;
  const ci = confidenceText(r.settings.confidence);
  out.push('# Attune offline evaluation', '');
  if (r.inputs.synthetic) out.push(`> **Synthetic data — not evidence about real users.** ${SYNTHETIC_NOTE}`, '');
  out.push(`Inputs: \`${r.inputs.files.events}\` — ${int(ev.rows)} rows, ${int(ev.kept)} used` +
    `${ev.unknownItems ? `, ${int(ev.unknownItems)} skipped (item not in the catalog; first on line${ev.unknownItemLines.length > 1 ? 's' : ''} ${ev.unknownItemLines.join(', ')})` : ''}` +
    `${ev.usersSampledOut ? `, ${int(ev.eventsSampledOut)} of ${int(ev.usersSampledOut)} users left out by --user-fraction` : ''}; ` +
    `${int(r.inputs.users)} users; catalog \`${r.inputs.files.catalog}\` ${int(r.inputs.catalog.items)} items` +
    `${r.inputs.traits ? `; traits \`${r.inputs.files.traits}\` for ${int(r.inputs.traits.matched)} users` : '; no traits'}` +
    `${r.inputs.files.config ? `; config \`${r.inputs.files.config}\`` : '; default config'}. ` +
    `Held-out events are first-time ${r.inputs.targetTypes.join('/')} events on an item.`, '');

  if (loo) {
    const rows = levels.map((l) => {
      const m = loo.levels[l];
      const p = r.privacy[l];
      return [`**${l}**`, num(m.hr), num(m.ndcg), num(m.mrr), num(m.coverage, 2), liftCell(m.lift?.hr), liftCell(m.lift?.ndcg),
        liftCell(m.lift?.mrr), num(p.dataPoints.mean, 1), int(p.bytes.mean), p.leavesDevice === 'nothing' ? 'nothing' : 'one segment label, if the site asks'];
    });
    out.push(`## Leave-last-out: ${int(loo.users)} users`, '',
      `Each user's history is replayed through the engine up to their last new item, which is then ranked among all items ` +
      `they had not touched and that were already published (full ranking, no sampling). The setting ` +
      `\`${r.settings.tune?.path ?? '—'}\` was chosen per level on the second-last new item (see Tuning). ` +
      `${int(loo.skippedUsers)} users with fewer than ${r.settings.minItems} new items are left out. Lifts are over level none ` +
      `with ${ci} paired bootstrap intervals over users (${r.settings.bootstrap} resamples, seed ${r.settings.seed}).`, '',
    table(['level', `HR@${k}`, `NDCG@${k}`, 'MRR', 'coverage', `lift HR@${k} (${ci} CI)`,
      `lift NDCG@${k} (${ci} CI)`, `lift MRR (${ci} CI)`, 'data points kept / user', 'snapshot bytes / user (fixed layout, see Privacy cost)', 'leaves the device'], rows), '');
    out.push(...pairedSection(r, loo.levels, '###'));
  }

  if (Object.keys(r.verdicts).length) {
    out.push('## Verdicts against the brief\'s claims', '',
      `The brief claims engagement lifts per level. Measured here as the leave-last-out HR@${k} lift over level none ` +
      `(the chance that the item the user went on to choose was ${shownText(k)}), judged on its ${ci} interval, not the ` +
      `point estimate alone. *Confirmed*: the whole interval lies inside the claimed range; *contradicted*: the whole ` +
      `interval lies outside it (below or above); *not confirmed*: the interval overlaps the range without lying inside it.`, '');
    for (const [l, v] of Object.entries(r.verdicts)) {
      const same = r.sameAsBelow[l] ? ` (this level ranked exactly like ${r.sameAsBelow[l]} for every user)` : '';
      out.push(`- **${l}**: measured ${pct(v.lift)} (${confidenceText(v.level)} CI ${pct(v.lo)} … ${pct(v.hi)}) against the claimed ${claimText(v.claim)}: ` +
        `**${v.verdict}** — ${v.why}${same}.`);
    }
    out.push('', `> ${r.inputs.synthetic ? `Synthetic data is not evidence about real users. ${SYNTHETIC_NOTE}` : REAL_NOTE}`, '');
  }

  if (loo && r.inputs.groups) out.push(...groupsSection(r));

  if (ts) {
    const rows = levels.map((l) => {
      const m = ts.levels[l];
      return [`**${l}**`, num(m.hr), num(m.ndcg), num(m.mrr), num(m.coverage, 2), liftCell(m.lift?.hr), liftCell(m.lift?.ndcg), liftCell(m.lift?.mrr)];
    });
    out.push(`## Global time split: ${int(ts.users)} users`, '',
      `Events before ${r.settings.splitTime} (the ${Math.round(r.settings.split * 100)}th percentile of event times) are the history; ` +
      `each user's first new item at or after it is ranked, with the site's configured settings (no tuning). ` +
      `${int(ts.skippedUsers)} users without history before the split or without a new item after it are left out.`, '',
    table(['level', `HR@${k}`, `NDCG@${k}`, 'MRR', 'coverage', `lift HR@${k} (${ci} CI)`,
      `lift NDCG@${k} (${ci} CI)`, `lift MRR (${ci} CI)`], rows), '');
  }

  if (r.settings.tune) {
    const t = r.settings.tune;
    const head = ['level', ...t.values.map((v) => `${JSON.stringify(v)}${v === t.configured ? ' (configured)' : ''}`), 'chosen'];
    const rows = levels.map((l) => [`**${l}**`, ...r.tuning[l].rows.map((x) => `${num(x.ndcg)}`), JSON.stringify(r.tuning[l].value)]);
    out.push(`## Tuning: \`${t.path}\``, '', `NDCG@${k} on each user's second-last new item, per value; the best ` +
      'value of each level (ties: the configured one) is used for its leave-last-out test.', '', table(head, rows), '');
  }

  if (loo && r.settings.sampled > 0) {
    const rows = levels.map((l) => [`**${l}**`, num(loo.levels[l].sampled.hr), num(loo.levels[l].hr)]);
    /* the candidates, hence the negatives available, are the same at every level */
    const s = loo.levels[levels[0]].sampled;
    const fewer = s.fewerNegatives ? ` For ${plural(s.fewerNegatives, 'held-out event', 'held-out events')} of ${int(s.events)} the user had ` +
      `fewer than ${r.settings.sampled} other candidates, so ${s.fewerNegatives === 1 ? 'it was' : 'they were'} ranked among all of them ` +
      `(${num(s.fewerNegativesMean, 1)} on average): an easier test, which makes these figures more optimistic still.` : '';
    out.push(`## Extra: sampled negatives (optimistic, for comparison only)`, '',
      `HR@${k} when the held-out item is ranked among only ${r.settings.sampled} randomly sampled unseen items, as some papers ` +
      `report. Sampling inflates every level and can reorder them; the full-ranking figures above are the ones to use.${fewer}`, '',
      table(['level', `sampled HR@${k} (1 + ${r.settings.sampled})`, `full-ranking HR@${k}`], rows), '');
  }

  {
    const rows = levels.map((l) => {
      const p = r.privacy[l];
      const kinds = Object.entries(p.byKind).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${num(c, 1)}`).join(', ') || '—';
      return [`**${l}**`, p.keeps ?? '—', `${num(p.dataPoints.mean, 1)} / ${num(p.dataPoints.median, 0)} / ${int(p.dataPoints.max)}`,
        `${int(p.bytes.mean)} / ${int(p.bytes.median)} / ${int(p.bytes.max)}`, kinds, p.leavesDevice];
    });
    out.push('## Privacy cost per level', '',
      'Measured on each leave-last-out user\'s profile just before the test recommendation. *Data points* — the counts ' +
      '`inventory()` lists for the kinds it marks as stored — are the measure of what each level keeps. *Snapshot bytes* are ' +
      'the size of the stored snapshot (MemoryStorage, after `flush()`): its storage footprint, not a measure of the data a ' +
      'level adds. The snapshot has one layout at every level: each interaction in the history keeps a context-bucket ' +
      'byte (0 below contextual), and the model section (learned weights, impression counts, the counterfactual log) is ' +
      'always written (neutral below individual). So behavioral, contextual and individual store about the same bytes for ' +
      'the same history — individual more only once impressions are logged — while the data points show what each level ' +
      'actually keeps. The JSON export (`export()`) has the same layout, so its size is no fairer a measure.', '',
      table(['level', 'stored on the device', 'data points kept / user (mean / median / max)', 'snapshot bytes / user (mean / median / max)',
        'by kind (mean)', 'leaves the device'], rows), '');
  }

  const notes = [];
  for (const [l, below] of Object.entries(r.sameAsBelow)) notes.push(`Level ${l} ranked exactly like ${below} for every user: at this engine build it adds no ranking signal on this data, while it may store more.`);
  for (let i = 1; i < levels.length; i++) {
    const a = r.privacy[levels[i - 1]];
    const b = r.privacy[levels[i]];
    if (levels[i - 1] !== 'none' && Math.round(a.bytes.mean) === Math.round(b.bytes.mean) && b.dataPoints.mean > a.dataPoints.mean) {
      notes.push(`Level ${levels[i]} stores as many snapshot bytes per user as ${levels[i - 1]} (${int(b.bytes.mean)} B) but keeps more data points: the snapshot's layout is the same at both levels (see Privacy cost), so its size does not show the extra data; the data points do.`);
    }
  }
  if (levels.includes('individual')) {
    notes.push('The individual level learns online from clicks on the lists it served. Logs that Attune did not serve cannot replay that learning, so it is measured from the history alone (user vector, impressions in the logs): offline replay can understate it.');
  }
  const after = r.inputs.publishedAfterUse;
  if (after) notes.push(`${plural(after, 'held-out event was', 'held-out events were')} on an item whose publishedAt is after the event; ${after === 1 ? 'it was' : 'they were'} kept as ${after === 1 ? 'a candidate' : 'candidates'}.`);
  notes.push(...shortListNotes(r));
  notes.push(`Catalog coverage: the share of catalog items that appear in at least one user's top ${k}.`);
  notes.push('MRR is cut at the list the engine returns (at most 1000 items): a held-out item below it counts 0.');
  notes.push(`Context passed to the engine: hour and weekday of the event (UTC${r.settings.utcOffsetMinutes ? `${r.settings.utcOffsetMinutes > 0 ? '+' : '−'}${Math.abs(r.settings.utcOffsetMinutes)} min` : ''})${r.inputs.events.hasDevice ? ' and the device column' : ''}.`);
  notes.push(`Run: ${r.elapsedSeconds} s with ${r.settings.jobs} job${r.settings.jobs > 1 ? 's' : ''}.`);
  out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

/**
 * Paired differences between levels (each level minus each level below it other than none,
 * over the same users): a table of HR@k, NDCG@k and MRR with their intervals.
 * @param {object} r the report
 * @param {Record<string, object>} rows per level, as evaluate's compareLevels returns them
 * @param {string} heading markdown heading marks
 */
function pairedSection(r, rows, heading) {
  const k = r.settings.k;
  const ci = confidenceText(r.settings.confidence);
  const body = [];
  for (const l of r.settings.levels) {
    for (const [below, d] of Object.entries(rows[l]?.vs ?? {})) body.push([`**${l}** − ${below}`, diffCell(d.hr), diffCell(d.ndcg), diffCell(d.mrr)]);
  }
  if (!body.length) return [];
  return [`${heading} Each level against the levels below it`, '',
    `Paired differences over the same users (mean of the level minus mean of the level below), with ${ci} paired ` +
    'bootstrap intervals; "above 0" or "below 0" when the whole interval is. Lifts over none are in the table above.', '',
    table(['levels', `Δ HR@${k} (${ci} CI)`, `Δ NDCG@${k} (${ci} CI)`, `Δ MRR (${ci} CI)`], body), ''];
}

/** The groups of the groups file: each group's leave-last-out metrics, lifts and paired differences. */
function groupsSection(r) {
  const g = r.inputs.groups;
  const k = r.settings.k;
  const ci = confidenceText(r.settings.confidence);
  const groups = r.protocols.leaveLastOut.groups ?? {};
  const out = [`## Groups: leave-last-out per group of \`${r.inputs.files.groups}\``, '',
    `${plural(g.labels.length, 'group', 'groups')} (${g.labels.map((x) => `\`${x}\``).join(', ')}) for ${int(g.matched)} users with events` +
    `${g.withoutEvents ? ` (${plural(g.withoutEvents, 'listed user has', 'listed users have')} no events)` : ''}. Each group's leave-last-out users are ` +
    'the same events as above, measured over that group alone; intervals are over the group\'s users, so they are wider.'];
  if (r.inputs.synthetic && g.labels.includes('context-dependent')) {
    out.push('', 'In the synthetic population, *context-dependent* users have a category of their own for each daypart and ' +
      'split their sessions between two dayparts; the others\' tastes do not depend on the time of day (tools/eval/README.md).');
  }
  out.push('');
  for (const label of g.labels) {
    const grp = groups[label];
    if (!grp?.levels) {
      out.push(`### \`${label}\`: no leave-last-out users`, '');
      continue;
    }
    const rows = r.settings.levels.map((l) => {
      const m = grp.levels[l];
      return [`**${l}**`, num(m.hr), num(m.ndcg), num(m.mrr), liftCell(m.lift?.hr), liftCell(m.lift?.ndcg), liftCell(m.lift?.mrr)];
    });
    out.push(`### \`${label}\`: ${plural(grp.users, 'user', 'users')}`, '',
      table(['level', `HR@${k}`, `NDCG@${k}`, 'MRR', `lift HR@${k} (${ci} CI)`, `lift NDCG@${k} (${ci} CI)`, `lift MRR (${ci} CI)`], rows), '',
      ...pairedSection(r, grp.levels, '####'));
  }
  return out;
}

/**
 * Notes on rankings that came back shorter than asked (runner.mjs: exclusions beyond the
 * engine's limit filtered afterwards, or the engine's own caps such as maxPerCategory), even
 * at the engine's maximum k: the held-out item below such a list counts as a miss.
 */
function shortListNotes(r) {
  const k = r.settings.k;
  const notes = [];
  const protocols = [['leave-last-out', r.protocols.leaveLastOut], ['time-split', r.protocols.timeSplit]];
  for (const l of r.settings.levels) {
    const parts = [];
    let cutK = false;
    for (const [name, p] of protocols) {
      const m = p?.levels[l];
      if (!m?.shortLists) continue;
      parts.push(`${int(m.shortLists)} of ${int(p.users)} ${name} rankings` +
        `${m.shortTopK ? ` (${int(m.shortTopK)} with fewer than ${k} items)` : ''}`);
      if (m.shortTopK) cutK = true;
    }
    const tuneShort = (r.tuning[l]?.rows ?? []).reduce((s, x) => s + x.shortTopK, 0);
    if (tuneShort) {
      parts.push(`${int(tuneShort)} tuning rankings (fewer than ${k} items)`);
      cutK = true;
    }
    if (!parts.length) continue;
    notes.push(`Level ${l}: ${parts.join(', ')} came back shorter than asked, even when asked again at the engine's ` +
      'maximum k of 1000 (what shortens them: exclusions beyond the engine\'s 10,000 per call, filtered afterwards; ' +
      'ranking.maxPerCategory; editorial.exclude). A held-out item below such a list counts as a miss, so ' +
      `${cutK ? `HR@${k}, NDCG@${k} and MRR are` : 'MRR is'} understated there.`);
  }
  return notes;
}

/** A short summary for stdout: the leave-last-out tables, the verdicts and the groups. */
export function summary(r) {
  const md = markdown(r);
  const start = md.indexOf('## Leave-last-out');
  const end = md.indexOf('## Global time split');
  return (start >= 0 ? md.slice(start, end >= 0 ? end : undefined) : md).trim();
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo, hi, count = 5) {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/**
 * The SVG chart: x is the privacy cost (mean data points stored per user, from inventory();
 * bytes are in the labels), y the leave-last-out HR@k lift over none with its bootstrap interval;
 * the brief's claimed range for each level is a shaded bar at the same x.
 */
export function svg(r) {
  const W = 800;
  const H = 470;
  const M = { l: 84, r: 230, t: 56, b: 62 };
  const loo = r.protocols.leaveLastOut;
  const levels = r.settings.levels;
  const k = r.settings.k;
  const pts = levels.map((l) => ({
    level: l,
    x: r.privacy[l].dataPoints.mean || 0,
    bytes: r.privacy[l].bytes.mean || 0,
    y: l === 'none' ? 0 : loo?.levels[l].lift?.hr.lift,
    lo: l === 'none' ? 0 : loo?.levels[l].lift?.hr.lo,
    hi: l === 'none' ? 0 : loo?.levels[l].lift?.hr.hi,
    claim: r.claims[l] ?? null,
  }));
  const fin = (v) => Number.isFinite(v);
  const ys = pts.flatMap((p) => [p.y, p.lo, p.hi, ...(p.claim ?? [])]).filter(fin);
  let ymin = Math.min(0, ...ys);
  let ymax = Math.max(0.1, ...ys);
  const pad = (ymax - ymin) * 0.08;
  ymin -= pad;
  ymax += pad;
  const xmax = Math.max(1, ...pts.map((p) => p.x)) * 1.08;
  const sx = (v) => M.l + 12 + (Math.max(0, v) / xmax) * (W - M.l - M.r - 12);
  const sy = (v) => M.t + (1 - (v - ymin) / (ymax - ymin)) * (H - M.t - M.b);
  /* points closer than 16 px are spread apart, in level order */
  const xs = pts.map((p) => sx(p.x));
  for (let i = 1; i < xs.length; i++) if (xs[i] - xs[i - 1] < 16) xs[i] = xs[i - 1] + 16;
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  o.push('<title>Attune: engagement lift against privacy cost per level</title>');
  o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  o.push(`<text x="${M.l}" y="22" font-size="15" font-weight="600">What each level buys (lift of HR@${k} over none) against what it stores</text>`);
  o.push(`<text x="${M.l}" y="40" fill="#555">${esc(r.inputs.synthetic ? 'Synthetic population: not evidence about real users.' : `Data: ${r.inputs.files.events}, leave-last-out.`)} Bars: ${confidenceText(r.settings.confidence)} bootstrap intervals. Shaded: the brief's claims.</text>`);
  for (const v of ticks(ymin, ymax)) {
    const y = sy(v);
    o.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${v === 0 ? '#888' : '#e5e5e5'}"/>`);
    o.push(`<text x="${M.l - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v * 100))} %</text>`);
  }
  for (const v of ticks(0, xmax, 6)) {
    const x = sx(v);
    o.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${M.t}" y2="${H - M.b}" stroke="#f0f0f0"/>`);
    o.push(`<text x="${x.toFixed(1)}" y="${H - M.b + 18}" text-anchor="middle">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  o.push(`<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" stroke="#333"/>`);
  o.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" stroke="#333"/>`);
  o.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 20}" text-anchor="middle">privacy cost: data points stored on the device per user (mean, from inventory())</text>`);
  o.push(`<text transform="translate(20 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">lift of HR@${k} over level none</text>`);
  pts.forEach((p, i) => {
    const c = LEVEL_COLORS[p.level] ?? '#333';
    const x = xs[i];
    if (p.claim) {
      o.push(`<rect x="${(x - 7).toFixed(1)}" y="${sy(p.claim[1]).toFixed(1)}" width="14" height="${(sy(p.claim[0]) - sy(p.claim[1])).toFixed(1)}" fill="${c}" fill-opacity="0.18" stroke="${c}" stroke-opacity="0.5" stroke-dasharray="3 2"><title>${esc(p.level)}: the brief claims ${claimText(p.claim)}</title></rect>`);
    }
    if (fin(p.lo) && fin(p.hi) && p.level !== 'none') {
      o.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${sy(p.lo).toFixed(1)}" y2="${sy(p.hi).toFixed(1)}" stroke="${c}" stroke-width="2"/>`);
      for (const v of [p.lo, p.hi]) o.push(`<line x1="${(x - 5).toFixed(1)}" x2="${(x + 5).toFixed(1)}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="${c}" stroke-width="2"/>`);
    }
    if (fin(p.y)) {
      o.push(`<circle cx="${x.toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="5" fill="${c}"><title>${esc(p.level)}: ${pct(p.y)} (${pct(p.lo)} … ${pct(p.hi)}); ${p.x.toFixed(1)} data points, ${Math.round(p.bytes)} bytes per user</title></circle>`);
    }
  });
  /* legend: level, lift, verdict, cost */
  pts.forEach((p, i) => {
    const c = LEVEL_COLORS[p.level] ?? '#333';
    const x = W - M.r + 18;
    const y = M.t + 8 + i * 54;
    const v = r.verdicts[p.level];
    o.push(`<circle cx="${x}" cy="${y}" r="5" fill="${c}"/>`);
    o.push(`<text x="${x + 12}" y="${y + 4}" font-weight="600">${esc(p.level)}${p.level === 'none' ? ' (baseline)' : fin(p.y) ? ` ${esc(pct(p.y))}` : ''}</text>`);
    o.push(`<text x="${x + 12}" y="${y + 19}" fill="#555">${esc(v ? `${v.verdict}; claim ${claimText(v.claim)}` : 'stores nothing')}</text>`);
    o.push(`<text x="${x + 12}" y="${y + 34}" fill="#555">${esc(`${p.x.toFixed(1)} data points, ${Math.round(p.bytes).toLocaleString('en-US')} B / user`)}</text>`);
  });
  o.push('</svg>');
  return `${o.join('\n')}\n`;
}

/** Writes report.md, report.json and lift.svg into `dir`; returns their paths. */
export function writeReport(dir, r) {
  mkdirSync(dir, { recursive: true });
  const files = { markdown: join(dir, 'report.md'), json: join(dir, 'report.json'), svg: join(dir, 'lift.svg') };
  writeFileSync(files.markdown, markdown(r));
  writeFileSync(files.json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(files.svg, svg(r));
  return files;
}
