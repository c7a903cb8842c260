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

/** A tiny catalog: items a..h, published long before the events. */
function tinyCatalog(dir) {
  const items = 'abcdefgh'.split('').map((id, i) => ({
    id, tags: [`t${i % 3}`], category: `c${i % 2}`, popularity: 100 - i, publishedAt: T0 - 60 * DAY,
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
    '--traits', join(dir, 'data/traits.csv'), '--config', join(dir, 'data/config.json'), '--out', out,
    '--jobs', '2', '--bootstrap', '200']);
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

  assert.deepEqual(Object.keys(json.protocols.leaveLastOut.levels), ['none', 'segment', 'behavioral', 'contextual', 'individual']);
  const loo = json.protocols.leaveLastOut;
  assert.ok(loo.users > 30, `only ${loo.users} users in leave-last-out`);
  for (const m of Object.values(loo.levels)) {
    for (const k of ['hr', 'ndcg', 'mrr', 'coverage']) assert.ok(m[k] >= 0 && m[k] <= 1, `${k} = ${m[k]}`);
    assert.ok(m.ndcg <= m.hr && m.mrr <= 1);
  }
  assert.ok(loo.levels.behavioral.lift.hr.lo <= loo.levels.behavioral.lift.hr.hi);
  assert.equal(json.privacy.none.bytes.max, 0, 'level none stores nothing');
  assert.equal(json.privacy.none.leavesDevice, 'nothing');
  assert.ok(json.privacy.behavioral.dataPoints.mean > json.privacy.segment.dataPoints.mean);
  assert.ok(json.privacy.segment.bytes.mean > 0);
  assert.equal(json.inputs.synthetic, true);

  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 10, 'a point and a legend mark per level');
  assert.ok(!/NaN|undefined/.test(svg), 'no NaN or undefined in the chart');
});
