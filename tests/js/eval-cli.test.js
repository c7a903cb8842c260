// The attune-eval command line: bad rows are refused with file and line numbers, unknown items
// are skipped and counted (or refused with --strict-items), and a small end-to-end run writes
// the markdown, JSON and SVG outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { synthesize, writeSynth } from '../../tools/eval/synth.mjs';

const BIN = fileURLToPath(new URL('../../bin/attune-eval.mjs', import.meta.url));
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 12);

function workdir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'attune-eval-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tiny catalog: items a..h, published long before the events (unless `publishedAt` says otherwise). */
function tinyCatalog(dir, publishedAt = {}) {
  const items = 'abcdefgh'.split('').map((id, i) => ({
    id, tags: [`t${i % 3}`], category: `c${i % 2}`, popularity: 100 - i, publishedAt: publishedAt[id] ?? T0 - 60 * DAY,
  }));
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify({ version: 1, items }));
  return path;
}

function write(dir, name, text) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(args) {
  const r = spawnSync(process.execPath, [BIN, '--quiet', ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The three users of goodRows() through the CLI; returns the report's markdown, JSON and SVG.
 * Leave-last-out: u1 tunes on c and tests on d, u2 on e and f, u3 on g and h; the time split
 * (0.8 quantile: hour 8.8) ranks u3's f at hour 9.
 */
function tinyRun(t, { publishedAt, config, args = [] } = {}) {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir, publishedAt);
  const events = write(dir, 'events.csv', `user,item,timestamp,type\n${goodRows().join('\n')}\n`);
  const out = join(dir, 'out');
  const cfg = config ? ['--config', write(dir, 'config.json', JSON.stringify(config))] : [];
  const r = run(['--events', events, '--catalog', catalog, '--out', out, '--bootstrap', '50', ...cfg, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return {
    md: readFileSync(join(out, 'report.md'), 'utf8'),
    json: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')),
    svg: readFileSync(join(out, 'lift.svg'), 'utf8'),
  };
}

/** Three users with four new items each, one hour apart. */
function goodRows() {
  const rows = [];
  ['u1', 'u2', 'u3'].forEach((u, k) => {
    for (let i = 0; i < 4; i++) rows.push(`${u},${'abcdefgh'[(i + 2 * k) % 8]},${T0 + (k * 4 + i) * 3_600_000},click`);
  });
  return rows;
}

test('bad rows are refused with the file name and each line number', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const events = write(dir, 'events.csv', [
    'user,item,timestamp,type',
    `u1,a,${T0},click`,
    'u1,b,last tuesday,click',
    `u1,c,${T0 + 1000},stare`,
    `u1,d,${T0 + 2000}`,
    `,e,${T0 + 3000},view`,
    `u1,f,${T0 / 1000},view`,
    '',
  ].join('\n'));
  const r = run(['--events', events, '--catalog', catalog, '--out', join(dir, 'out')]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /5 problems in events\.csv/);
  assert.match(r.stderr, /events\.csv:3: timestamp "last tuesday" is neither ms since 1970 nor ISO-8601/);
  assert.match(r.stderr, /events\.csv:4: unknown type "stare" \(use view, click, like, share, purchase, dismiss, impression\)/);
  assert.match(r.stderr, /events\.csv:5: expected 4 fields like the header, found 3/);
  assert.match(r.stderr, /events\.csv:6: empty user/);
  assert.match(r.stderr, /events\.csv:7: timestamp \d+ is before 1973 in ms; if it is in seconds, multiply by 1000/);
  assert.ok(!existsSync(join(dir, 'out')), 'nothing is written when the input is refused');
});

test('unknown and missing columns are refused on line 1', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const events = write(dir, 'events.csv', `user,item,when,colour\nu1,a,${T0},red\n`);
  const r = run(['--events', events, '--catalog', catalog]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /events\.csv:1: unknown column "when"/);
  assert.match(r.stderr, /events\.csv:1: unknown column "colour"/);
  assert.match(r.stderr, /events\.csv:1: missing column "timestamp"/);
});

test('a bad device and an unterminated quote name their lines', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const bad = write(dir, 'events.csv', `user,item,timestamp,device\nu1,a,${T0},phone\nu1,"b,${T0 + 1},mobile\n`);
  const r = run(['--events', bad, '--catalog', catalog]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /events\.csv:2: unknown device "phone"/);
  assert.match(r.stderr, /events\.csv:3: a quoted field is never closed/);
});

test('items not in the catalog are skipped and counted, or refused with --strict-items', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const rows = goodRows();
  rows.splice(2, 0, `u1,zzz,${T0 + 90 * 60000},view`); /* becomes line 4 */
  const events = write(dir, 'events.csv', `user,item,timestamp,type\n${rows.join('\n')}\n`);
  const out = join(dir, 'out');
  const ok = run(['--events', events, '--catalog', catalog, '--out', out, '--jobs', '1', '--bootstrap', '50', '--tune', 'none']);
  assert.equal(ok.status, 0, ok.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(report.inputs.events.unknownItems, 1);
  assert.deepEqual(report.inputs.events.unknownItemLines, [4]);
  assert.equal(report.inputs.events.kept, 12);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /1 skipped \(item not in the catalog; first on line 4\)/);

  const strict = run(['--events', events, '--catalog', catalog, '--strict-items']);
  assert.equal(strict.status, 2);
  assert.match(strict.stderr, /events\.csv:4: item "zzz" is not in the catalog/);
});

test('traits: undeclared traits and values are refused with their lines', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const events = write(dir, 'events.csv', `user,item,timestamp,type\n${goodRows().join('\n')}\n`);
  const config = write(dir, 'config.json', JSON.stringify({ traits: { plan: ['free', 'pro'] } }));
  const traits = write(dir, 'traits.csv', 'user,plan\nu1,pro\nu2,platinum\nu1,free\n');
  const r = run(['--events', events, '--catalog', catalog, '--config', config, '--traits', traits]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /traits\.csv:3: value "platinum" of trait "plan" is not declared in config\.traits\.plan \(free, pro\)/);
  assert.match(r.stderr, /traits\.csv:4: user "u1" is listed twice \(first on line 2\)/);

  const cols = write(dir, 'traits2.csv', 'user,plan,shoe_size\nu1,pro,42\n');
  const r2 = run(['--events', events, '--catalog', catalog, '--config', config, '--traits', cols]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /traits2\.csv:1: unknown column "shoe_size": not a trait declared in config\.traits \(declared: plan\)/);
});

test('groups: a bad header, an empty user or a user listed twice are refused with their lines', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const events = write(dir, 'events.csv', `user,item,timestamp,type\n${goodRows().join('\n')}\n`);
  const bad = write(dir, 'groups.csv', 'user,group\nu1,a\n,b\nu1,b\nu2\n');
  const r = run(['--events', events, '--catalog', catalog, '--groups', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /groups\.csv:3: empty user/);
  assert.match(r.stderr, /groups\.csv:4: user "u1" is listed twice \(first on line 2\)/);
  assert.match(r.stderr, /groups\.csv:5: expected 2 fields like the header, found 1/);
  const header = write(dir, 'groups2.csv', 'user,segment,colour\nu1,a,red\n');
  const r2 = run(['--events', events, '--catalog', catalog, '--groups', header]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /groups2\.csv:1: the header must name the columns user and group/);
  assert.match(r2.stderr, /groups2\.csv:1: unknown column "colour"/);
  const many = write(dir, 'groups3.csv', `user,group\n${Array.from({ length: 13 }, (_, i) => `x${i},g${i}`).join('\n')}\n`);
  assert.match(run(['--events', events, '--catalog', catalog, '--groups', many]).stderr, /groups3\.csv:14: more than 12 groups/);
});

test('groups: users without a group, or with no events, are left out of the group tables', (t) => {
  const dir = workdir(t);
  const groups = write(dir, 'groups.csv', 'user,group\nu1,early\nu2,\nu3,late\nu9,late\n');
  const { md, json } = tinyRun(t, { args: ['--tune', 'none', '--groups', groups] });
  assert.deepEqual(json.inputs.groups, { rows: 4, labels: ['early', 'late'], matched: 2, withoutEvents: 1 });
  assert.equal(json.protocols.leaveLastOut.groups.early.users, 1);
  assert.equal(json.protocols.leaveLastOut.groups.late.users, 1);
  assert.match(md, /2 groups \(`early`, `late`\) for 2 users with events \(1 listed user has no events\)/);
  assert.match(md, /### `early`: 1 user\n/);
});

test('a bad config is refused naming the file and the key; usage errors exit 2', (t) => {
  const dir = workdir(t);
  const catalog = tinyCatalog(dir);
  const events = write(dir, 'events.csv', `user,item,timestamp\n${goodRows().map((r) => r.replace(/,click$/, '')).join('\n')}\n`);
  const config = write(dir, 'site.json', JSON.stringify({ ranking: { diversty: 0.3 } }));
  const r = run(['--events', events, '--catalog', catalog, '--config', config]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /site\.json: .*diversty/);
  assert.equal(run(['--catalog', catalog]).status, 2);
  assert.match(run(['--events', events, '--catalog', catalog, '--colour', 'red']).stderr, /unknown option --colour/);
  assert.match(run(['--events', events, '--catalog', catalog, '--tune', 'ranking.weights.popularity=-1']).stderr, /popularity/);
});

test('end to end: a small synthetic run writes report.md, report.json and lift.svg', (t) => {
  const dir = workdir(t);
  const pop = synthesize({ users: 60, items: 80, seed: 5 });
  writeSynth(join(dir, 'data'), pop);
  const out = join(dir, 'out');
  const r = run(['--synthetic', '--events', join(dir, 'data/events.csv'), '--catalog', join(dir, 'data/catalog.json'),
    '--traits', join(dir, 'data/traits.csv'), '--config', join(dir, 'data/config.json'), '--groups', join(dir, 'data/groups.csv'),
    '--out', out, '--jobs', '2', '--bootstrap', '200']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /## Leave-last-out/);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const svg = readFileSync(join(out, 'lift.svg'), 'utf8');

  assert.match(md, /not evidence about real users/);
  for (const level of ['segment', 'behavioral', 'contextual', 'individual']) {
    assert.match(md, new RegExp(`- \\*\\*${level}\\*\\*: measured .* against the claimed \\+\\d+–\\d+ %: \\*\\*(confirmed|not confirmed|contradicted)\\*\\*`));
  }
  assert.match(md, /## Global time split/);
  assert.match(md, /## Extra: sampled negatives \(optimistic, for comparison only\)/);
  /* privacy cost: data points are the measure; snapshot bytes are labelled with their limitation */
  assert.match(md, /\| data points kept \/ user \| snapshot bytes \/ user \(fixed layout, see Privacy cost\) \|/);
  assert.match(md, /The snapshot has one layout at every level/);

  /* each level against the levels below it (paired), for everyone and per group */
  assert.match(md, /### Each level against the levels below it/);
  assert.match(md, /\| \*\*contextual\*\* − behavioral \| [+−]\d\.\d{3} \([+−]\d\.\d{3} … [+−]\d\.\d{3}(, (above|below) 0)?\) \|/);
  assert.match(r.stdout, /## Groups: leave-last-out per group of `groups\.csv`/);
  for (const g of ['context-dependent', 'context-independent']) assert.match(md, new RegExp(`### \`${g}\`: \\d+ users`));

  assert.deepEqual(Object.keys(json.protocols.leaveLastOut.levels), ['none', 'segment', 'behavioral', 'contextual', 'individual']);
  const loo = json.protocols.leaveLastOut;
  assert.ok(loo.users > 30, `only ${loo.users} users in leave-last-out`);
  for (const m of Object.values(loo.levels)) {
    for (const k of ['hr', 'ndcg', 'mrr', 'coverage']) assert.ok(m[k] >= 0 && m[k] <= 1, `${k} = ${m[k]}`);
    assert.ok(m.ndcg <= m.hr && m.mrr <= 1);
  }
  /* the lift is the ratio of the two HR@10 means, and its interval has width and holds it */
  const lift = loo.levels.behavioral.lift.hr;
  assert.ok(loo.levels.none.hr > 0, 'the baseline has hits');
  assert.ok(Math.abs(lift.lift - (loo.levels.behavioral.hr / loo.levels.none.hr - 1)) < 1e-12, `lift ${lift.lift}`);
  assert.ok(lift.lo < lift.hi, `a degenerate interval ${lift.lo} … ${lift.hi} on ${loo.users} users`);
  assert.ok(lift.lo <= lift.lift && lift.lift <= lift.hi, `${lift.lift} outside ${lift.lo} … ${lift.hi}`);
  assert.equal(lift.level, 0.95);
  for (const m of Object.values(loo.levels)) assert.equal(m.shortLists, 0, 'no ranking came back short on a 80-item catalog');
  assert.ok(!/came back shorter than asked/.test(md));
  assert.equal(json.privacy.none.bytes.max, 0, 'level none stores nothing');
  assert.equal(json.privacy.none.leavesDevice, 'nothing');
  assert.ok(json.privacy.behavioral.dataPoints.mean > json.privacy.segment.dataPoints.mean);
  assert.ok(json.privacy.segment.bytes.mean > 0);
  assert.equal(json.inputs.synthetic, true);
  /* paired differences: the point is the difference of the two levels' means over the same users */
  const vs = loo.levels.individual.vs;
  assert.deepEqual(Object.keys(vs), ['segment', 'behavioral', 'contextual']);
  assert.ok(!('vs' in loo.levels.none));
  assert.ok(Math.abs(vs.behavioral.hr.diff - (loo.levels.individual.hr - loo.levels.behavioral.hr)) < 1e-12);
  assert.ok(vs.behavioral.mrr.lo <= vs.behavioral.mrr.diff && vs.behavioral.mrr.diff <= vs.behavioral.mrr.hi);
  /* groups: every leave-last-out user in exactly one of the two, with the group's own figures */
  assert.deepEqual(json.inputs.groups.labels, ['context-dependent', 'context-independent'], 'sorted');
  const groups = loo.groups;
  const sizes = Object.values(groups).map((g) => g.users);
  assert.equal(sizes.reduce((a, b) => a + b, 0), loo.users);
  for (const g of Object.values(groups)) {
    for (const l of ['none', 'individual']) assert.equal(g.levels[l].users, g.users);
    assert.ok(g.levels.contextual.vs.behavioral.ndcg.B > 0);
  }
  /* the overall HR@10 is the users-weighted mean of the groups' */
  const weighted = Object.values(groups).reduce((a, g) => a + g.users * g.levels.behavioral.hr, 0) / loo.users;
  assert.ok(Math.abs(weighted - loo.levels.behavioral.hr) < 1e-12);

  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 10, 'a point and a legend mark per level');
  assert.ok(!/NaN|undefined/.test(svg), 'no NaN or undefined in the chart');
});

test('an item published after its use is reported once per held-out event, not once per ranking', (t) => {
  /* d, u1's test item (hour 3), is published at hour 4.5; u2 uses it at hour 5, not held out.
     Each held-out event is ranked at 5 levels × 4 tuning values and in two passes: the count
     must stay 1 with workers and without. */
  for (const jobs of ['1', '2']) {
    const { md, json } = tinyRun(t, { publishedAt: { d: T0 + 4.5 * 3_600_000 }, args: ['--jobs', jobs] });
    assert.equal(json.inputs.publishedAfterUse, 1, `--jobs ${jobs}`);
    assert.match(md, /- 1 held-out event was on an item whose publishedAt is after the event; it was kept as a candidate\./);
  }
  const { md, json } = tinyRun(t, { args: ['--tune', 'none'] });
  assert.equal(json.inputs.publishedAfterUse, 0);
  assert.ok(!/publishedAt is after/.test(md));
});

test('the report names the --k and --confidence it was run with, not 10 and 95 %', (t) => {
  const { md, json, svg } = tinyRun(t, { args: ['--k', '3', '--confidence', '0.9', '--tune', 'none'] });
  assert.equal(json.settings.k, 3);
  assert.equal(json.settings.confidence, 0.9);
  assert.equal(json.protocols.leaveLastOut.levels.segment.lift.hr.level, 0.9);
  assert.match(md, /\| level \| HR@3 \| NDCG@3 \| MRR \| coverage \| lift HR@3 \(90 % CI\) \|/);
  assert.match(md, /leave-last-out HR@3 lift over level none \(the chance that the item the user went on to choose was among the first 3 shown\)/);
  assert.match(md, /judged on its 90 % interval, not the point estimate alone\. \*Confirmed\*: the whole interval lies inside the claimed range/);
  assert.match(md, /\| levels \| Δ HR@3 \(90 % CI\) \| Δ NDCG@3 \(90 % CI\) \| Δ MRR \(90 % CI\) \|/);
  assert.equal(json.protocols.leaveLastOut.levels.individual.vs.behavioral.ndcg.level, 0.9);
  assert.match(md, /- \*\*segment\*\*: measured .* \(90 % CI /);
  assert.match(md, /in at least one user's top 3\./);
  assert.equal(json.verdicts.segment.metric, 'HR@3 lift over none, leave-last-out (90 % interval)');
  assert.match(svg, /lift of HR@3 over none/);
  assert.match(svg, /Bars: 90 % bootstrap intervals/);
  for (const text of [md, svg]) {
    assert.ok(!/HR@10|NDCG@10|top 10|95 %/.test(text), `a hard-coded cut-off or level: ${text.match(/.{40}(HR@10|NDCG@10|top 10|95 %).{20}/)?.[0]}`);
  }
  assert.match(run(['--events', 'x.csv', '--catalog', 'y.json', '--confidence', '95']).stderr, /--confidence: expected a fraction between 0 and 1/);
});

test('fewer sampled negatives than --sampled are counted and reported', (t) => {
  /* 8 items: at each test event the user has touched 3, so 5 candidates and 4 negatives */
  const { md, json } = tinyRun(t, { args: ['--tune', 'none', '--sampled', '100'] });
  const s = json.protocols.leaveLastOut.levels.none.sampled;
  assert.deepEqual({ events: s.events, fewer: s.fewerNegatives, mean: s.fewerNegativesMean }, { events: 3, fewer: 3, mean: 4 });
  assert.match(md, /For 3 held-out events of 3 the user had fewer than 100 other candidates, so they were ranked among all of them \(4\.0 on average\)/);
  const four = tinyRun(t, { args: ['--tune', 'none', '--sampled', '4'] }).json.protocols.leaveLastOut.levels.none.sampled;
  assert.equal(four.fewerNegatives, 0);
});

test('rankings the engine returns shorter than asked are counted per level and protocol and reported', (t) => {
  /* two categories and at most one item of each: the engine lists 2 items where 5 (test) or
     3 (tuning, --k 3) are asked, at every level */
  const { md, json } = tinyRun(t, { config: { ranking: { maxPerCategory: 1 } }, args: ['--k', '3', '--tune', 'none'] });
  const loo = json.protocols.leaveLastOut;
  const ts = json.protocols.timeSplit;
  for (const level of ['none', 'segment', 'behavioral', 'contextual', 'individual']) {
    assert.deepEqual([loo.levels[level].shortLists, loo.levels[level].shortTopK], [3, 3], level);
    assert.deepEqual([ts.levels[level].shortLists, ts.levels[level].shortTopK], [1, 1], level);
    assert.equal(json.tuning[level].rows[0].shortTopK, 3, level);
  }
  assert.match(md, /- Level none: 3 of 3 leave-last-out rankings \(3 with fewer than 3 items\), 1 of 1 time-split rankings \(1 with fewer than 3 items\), 3 tuning rankings \(fewer than 3 items\) came back shorter than asked, even when asked again at the engine's maximum k of 1000 .*HR@3, NDCG@3 and MRR are understated there\./);
});
