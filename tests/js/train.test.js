/**
 * attune-train, the server-side trainer (tools/train/): it recovers planted structure, keeps
 * every other item key, writes a catalog the engine loads, and refuses bad input by file and
 * line.  The binary is built by `make test` (or `make train`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, seeded, makeClock } from './helpers.js';

const BIN = fileURLToPath(new URL('../../build/native/attune-train', import.meta.url));
let dir;

before(() => {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build it with \`make build/native/attune-train\` (\`make test\` builds it first)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'attune-train-'));
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Writes `files` ({ name: text | object }) into the temp dir and runs the trainer with `args`,
 * where a leading '@' names a file in that dir. */
function train(args, files = {}) {
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  }
  const argv = args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a));
  const r = spawnSync(BIN, argv, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const outJSON = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));

/* --- the planted structure ------------------------------------------------------------------ */

/* Two clusters of 12 items; 30 users interact only with cluster A, 30 only with cluster B
 * (apart from a little cross-cluster noise); two items nobody touches; one item with a single
 * user, below --min-count. */
const A = Array.from({ length: 12 }, (_, i) => `a${String(i).padStart(2, '0')}`);
const B = Array.from({ length: 12 }, (_, i) => `b${String(i).padStart(2, '0')}`);
const clusterOf = (id) => (id.startsWith('a') ? 'A' : id.startsWith('b') ? 'B' : null);

function plantedCatalog() {
  const items = [...A, ...B].map((id, i) => ({
    id,
    title: `Article ${id}`,
    url: `https://example.com/${id}`,
    extra: { nested: [1, 2.5, 'x', null, true], note: 'kept "as is" \u00e9' },
    price: 19.99 + i,
  }));
  /* a stale vector of another dimension and stale neighbors: both must be replaced */
  items[0].vector = [9, 9, 9];
  items[0].neighbors = [['cold-1', 5]];
  items.push({ id: 'cold-1', title: 'Never read', tags: ['misc'], category: 'news', popularity: 3 });
  items.push({ id: 'cold-2', publishedAt: 1767614400000 });
  items.push({ id: 'rare', title: 'Read once' });
  return { version: 1, dim: 3, items };
}

function plantedEvents() {
  const r = seeded(42);
  const types = ['view', 'click', 'like', 'click'];
  const rows = ['user,item,timestamp,type'];
  let t = 1767614400000;
  for (let u = 0; u < 60; u++) {
    const own = u < 30 ? A : B;
    const other = u < 30 ? B : A;
    const picked = new Set();
    while (picked.size < 6) picked.add(own[Math.floor(r() * own.length)]);
    if (r() < 0.15) picked.add(other[Math.floor(r() * other.length)]);
    for (const item of picked) {
      const n = 1 + Math.floor(r() * 2);
      for (let k = 0; k < n; k++) rows.push(`user-${u},${item},${(t += 60000)},${types[Math.floor(r() * types.length)]}`);
    }
  }
  rows.push(`user-0,rare,${t + 1},click`);
  rows.push(`user-7,cold-1,${t + 2},impression`); /* not an interaction: cold-1 stays cold */
  return rows.join('\n') + '\n';
}

const cosine = (x, y) => {
  let d = 0, nx = 0, ny = 0;
  for (let k = 0; k < x.length; k++) {
    d += x[k] * y[k];
    nx += x[k] * x[k];
    ny += y[k] * y[k];
  }
  return d / Math.sqrt(nx * ny);
};

const TRAIN_ARGS = ['--events', '@events.csv', '--catalog', '@catalog.json', '--dim', '8', '--iters', '10',
  '--lambda', '10', '--alpha', '10', '--neighbors', '5', '--min-count', '3', '--seed', '7'];

test('neighbors come from the item\'s own cluster, best first', () => {
  const r = train([...TRAIN_ARGS, '--out', '@out.json'], { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() });
  assert.equal(r.status, 0, r.stderr);
  const out = outJSON('out.json');
  for (const item of out.items.filter((i) => clusterOf(i.id))) {
    assert.equal(item.neighbors.length, 5, `${item.id} has 5 neighbors`);
    for (const [id, w] of item.neighbors) {
      assert.equal(clusterOf(id), clusterOf(item.id), `${item.id}'s neighbor ${id} is in its cluster`);
      assert.ok(w > 0 && w < 1, `${item.id} -> ${id}: weight ${w} in (0, 1)`);
    }
    const ws = item.neighbors.map(([, w]) => w);
    assert.deepEqual(ws, [...ws].sort((x, y) => y - x), `${item.id}'s neighbors are best first`);
  }
});

test('item vectors of one cluster point the same way; across clusters they do not', () => {
  const r = train([...TRAIN_ARGS, '--out', '@out.json'], { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() });
  assert.equal(r.status, 0, r.stderr);
  const out = outJSON('out.json');
  assert.equal(out.dim, 8);
  const vec = Object.fromEntries(out.items.filter((i) => clusterOf(i.id)).map((i) => [i.id, i.vector]));
  const within = [], across = [];
  for (const x of [...A, ...B]) {
    assert.equal(vec[x].length, 8);
    const own = [], other = [];
    for (const y of [...A, ...B]) {
      if (x === y) continue;
      (clusterOf(x) === clusterOf(y) ? own : other).push(cosine(vec[x], vec[y]));
    }
    const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(mean(own) > mean(other) + 0.3, `${x}: within ${mean(own).toFixed(2)} vs across ${mean(other).toFixed(2)}`);
    within.push(...own);
    across.push(...other);
  }
  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(mean(within) > 0.5, `mean within-cluster cosine ${mean(within).toFixed(3)}`);
  assert.ok(mean(across) < mean(within) - 0.5, `mean across-cluster cosine ${mean(across).toFixed(3)}`);
});

test('items without interactions (or below --min-count) get no vector and no neighbors', () => {
  const r = train([...TRAIN_ARGS, '--out', '@out.json'], { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() });
  assert.equal(r.status, 0, r.stderr);
  const byId = Object.fromEntries(outJSON('out.json').items.map((i) => [i.id, i]));
  for (const id of ['cold-1', 'cold-2', 'rare']) {
    assert.ok(!('vector' in byId[id]) && !('neighbors' in byId[id]), `${id} is untrained`);
  }
  for (const item of Object.values(byId)) {
    for (const [id] of item.neighbors ?? []) assert.ok(!['cold-1', 'cold-2', 'rare'].includes(id), `${item.id} -> ${id}`);
  }
  assert.match(r.stderr, /24 of 27 items trained, 1 below --min-count 3, 2 with no events/);
});

test('every other item key is kept exactly; stale vectors and neighbors are replaced', () => {
  const input = plantedCatalog();
  const r = train([...TRAIN_ARGS, '--out', '@out.json'], { 'events.csv': plantedEvents(), 'catalog.json': input });
  assert.equal(r.status, 0, r.stderr);
  const out = outJSON('out.json');
  assert.deepEqual(Object.keys(out), ['version', 'dim', 'items']);
  assert.equal(out.items.length, input.items.length);
  input.items.forEach((item, i) => {
    const { vector, neighbors, ...rest } = out.items[i];
    const { vector: v0, neighbors: n0, ...expected } = item;
    assert.deepEqual(rest, expected, `item ${item.id} keeps its keys, in order`);
    assert.deepEqual(Object.keys(rest), Object.keys(expected));
    if (vector) assert.equal(vector.length, 8);
  });
  assert.notDeepEqual(out.items[0].neighbors, [['cold-1', 5]]);
});

test('the output is an Attune catalog: the engine loads it and ranks with its neighbors', async () => {
  const r = train([...TRAIN_ARGS, '--out', '@out.json'], { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(join(dir, 'out.json'), 'utf8');
  const engine = await createEngine({ catalog: text, config: { privacyLevel: 'behavioral' }, now: makeClock().now });
  assert.equal(engine.catalogInfo.items, 27);
  assert.equal(engine.catalogInfo.dim, 8);
  assert.equal(engine.catalogInfo.droppedNeighbors, 0);
  await engine.track({ item: 'a03', type: 'click' });
  const top = engine.recommend({ k: 5 }).map((x) => x.id);
  assert.ok(top.every((id) => clusterOf(id) === 'A'), `after reading a03 the top 5 are cluster A: ${top}`);
  const related = outJSON('out.json').items.find((i) => i.id === 'a03').neighbors[0][0];
  assert.ok(engine.explain(related).contributions.some((c) => c.signal === 'related'));
  engine.close();

  const individual = await createEngine({ catalog: text, config: { privacyLevel: 'individual' }, now: makeClock().now });
  assert.equal(individual.recommend({ k: 10 }).length, 10);
  individual.close();
});

test('the same seed gives the same bytes; another seed other vectors but the same neighbors', () => {
  const files = { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() };
  assert.equal(train([...TRAIN_ARGS, '--out', '@one.json'], files).status, 0);
  assert.equal(train([...TRAIN_ARGS, '--out', '@two.json']).status, 0);
  assert.equal(train([...TRAIN_ARGS.slice(0, -1), '8', '--out', '@three.json']).status, 0);
  const one = readFileSync(join(dir, 'one.json'), 'utf8');
  assert.equal(readFileSync(join(dir, 'two.json'), 'utf8'), one);
  const a = JSON.parse(one), b = outJSON('three.json');
  assert.notDeepEqual(a.items.map((i) => i.vector), b.items.map((i) => i.vector));
  assert.deepEqual(a.items.map((i) => i.neighbors), b.items.map((i) => i.neighbors));
});

test('the ALS objective falls every sweep (--verbose), and --self-test checks the arithmetic in C', () => {
  const r = train([...TRAIN_ARGS, '--out', '@out.json', '--verbose'], { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() });
  assert.equal(r.status, 0, r.stderr);
  const losses = [...r.stderr.matchAll(/sweep \d+: objective (\S+)/g)].map((m) => Number(m[1]));
  assert.equal(losses.length, 10);
  for (let k = 1; k < losses.length; k++) assert.ok(losses[k] <= losses[k - 1] * (1 + 1e-6), `sweep ${k + 1}: ${losses}`);

  const self = train(['--self-test']);
  assert.equal(self.status, 0, self.stdout);
  assert.match(self.stdout, /match the dense normal equations/);
  assert.match(self.stdout, /neighbors match brute-force/);
  assert.match(self.stdout, /self-test: ok\n$/);
});

test('event types: --weights changes neighbor weights; dismissals and impressions are not interactions', () => {
  const catalog = { version: 1, items: [{ id: 'x' }, { id: 'y' }, { id: 'z' }] };
  const events = 'user,item,timestamp,type\n' +
    'u1,x,1767614400000,purchase\nu1,y,1767614400000,view\n' +
    'u2,x,1767614400000,click\nu2,y,1767614400000,click\n' +
    'u1,z,1767614400000,dismiss\nu2,z,1767614400000,impression\n';
  const base = ['--events', '@w.csv', '--catalog', '@w.json', '--min-count', '1', '--dim', '2', '--shrink', '0'];
  const plain = train([...base, '--out', '@plain.json'], { 'w.csv': events, 'w.json': catalog });
  assert.equal(plain.status, 0, plain.stderr);
  const p = outJSON('plain.json').items;
  assert.deepEqual(p[0].neighbors, [['y', 1]], 'unweighted: x and y have the same two users, cosine 1');
  assert.ok(!('vector' in p[2]) && !('neighbors' in p[2]), 'z only has a dismissal and an impression');
  assert.match(plain.stderr, /6 rows \(2 skipped by type\)/);

  const weighted = train([...base, '--weights', 'default', '--out', '@weighted.json']);
  assert.equal(weighted.status, 0, weighted.stderr);
  /* x = (3, 1), y = (0.2, 1): cosine (0.6 + 1) / sqrt(10 * 1.04) */
  const [[id, w]] = outJSON('weighted.json').items[0].neighbors;
  assert.equal(id, 'y');
  assert.ok(Math.abs(w - 1.6 / Math.sqrt(10.4)) < 1e-6, `weight ${w}`);
});

test('CSV details: any column order, no type column, quotes, CRLF, a BOM, blank lines, ISO times', () => {
  const catalog = { version: 1, items: [{ id: 'p,1' }, { id: 'q' }] };
  const events = '\uFEFFtimestamp,item,user\r\n2026-01-05T12:00:00Z,"p,1", "ann ""a"""\r\n\r\n' +
    '2026-01-05T12:00:00.250Z,q,"ann ""a"""\r\n1767614400000.5,q,bob\r\n1767614400000,"p,1",bob\r\n';
  const r = train(['--events', '@c.csv', '--catalog', '@c.json', '--out', '-', '--min-count', '2', '--dim', '2'],
    { 'c.csv': events, 'c.json': catalog });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.items[0].neighbors.map(([id]) => id), ['q']);
  assert.match(r.stderr, /4 rows \(0 skipped by type\), 2 users, 4 user-item pairs/);
});

test('--out replaces a regular file whole, but writes through a symlink (or a device) in place', () => {
  const files = { 'events.csv': plantedEvents(), 'catalog.json': plantedCatalog() };
  writeFileSync(join(dir, 'old.json'), 'old');
  assert.equal(train([...TRAIN_ARGS, '--out', '@old.json'], files).status, 0);
  assert.equal(outJSON('old.json').items.length, 27);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file is left');
  /* renaming over a symlink would replace the link (and over /dev/null, the device) */
  writeFileSync(join(dir, 'target.json'), 'old');
  symlinkSync(join(dir, 'target.json'), join(dir, 'link.json'));
  assert.equal(train([...TRAIN_ARGS, '--out', '@link.json']).status, 0);
  assert.ok(lstatSync(join(dir, 'link.json')).isSymbolicLink(), 'the link is still a link');
  assert.equal(outJSON('target.json').items.length, 27);
});

/* --- refusals ------------------------------------------------------------------------------- */

const SMALL_CATALOG = { version: 1, items: [{ id: 'a' }, { id: 'b' }] };

function refuses(csv, pattern) {
  const r = train(['--events', '@bad.csv', '--catalog', '@small.json', '--out', '@never.json'],
    { 'bad.csv': csv, 'small.json': SMALL_CATALOG });
  assert.equal(r.status, 1, `exit 1 for ${JSON.stringify(csv)}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.ok(!existsSync(join(dir, 'never.json')), 'nothing is written');
}

test('bad rows are refused with the file name and line number', () => {
  const head = 'user,item,timestamp,type\nu1,a,1767614400000,click\n';
  refuses(`${head}u2,b,yesterday,click\n`, /bad\.csv:3: timestamp "yesterday" is not a time/);
  refuses(`${head}u2,b,2026-02-30T00:00:00Z,click\n`, /bad\.csv:3: timestamp "2026-02-30T00:00:00Z" is not a time/);
  refuses(`${head}\nu2,b,1,click\nu3,nope,1767614400000,click\n`, /bad\.csv:5: unknown item "nope": it is not in the catalog .*small\.json/);
  refuses(`${head}u2,b,1767614400000\n`, /bad\.csv:3: 3 fields, but the header on line 1 has 4 columns/);
  refuses(`${head}u2,b,1767614400000,click,extra\n`, /bad\.csv:3: 5 fields, but the header on line 1 has 4 columns/);
  refuses(`${head}u2,b,1767614400000,bought\n`, /bad\.csv:3: unknown event type "bought"/);
  refuses(`${head},b,1767614400000,click\n`, /bad\.csv:3: the user must be 1 to 256 bytes/);
  refuses(`${head}"u2,b,1767614400000,click\n`, /bad\.csv:3: a quoted field is not closed/);
  refuses('u1,a,1767614400000\n', /bad\.csv:1: unknown column "u1" in the header/);
  refuses('user,item,type\n', /bad\.csv:1: the header has no "timestamp" column/);
  refuses('', /bad\.csv: the file is empty/);
});

test('a bad catalog or a missing file is refused, naming it', () => {
  let r = train(['--events', '@e.csv', '--catalog', '@broken.json', '--out', '@never.json'],
    { 'e.csv': 'user,item,timestamp\n', 'broken.json': { version: 1, items: [{ id: 'a', vector: [1] }] } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.json: catalog\.items\[0\] \(id "a"\): has a "vector" but the catalog's "dim" is 0/);
  r = train(['--events', '@missing.csv', '--catalog', '@small.json', '--out', '@never.json'], { 'small.json': SMALL_CATALOG });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot open the events file ".*missing\.csv": No such file/);
  assert.ok(!existsSync(join(dir, 'never.json')));
});

test('bad flags are refused with exit status 2, naming the flag', () => {
  const files = ['--events', '@e.csv', '--catalog', '@small.json', '--out', '@never.json'];
  const cases = [
    [['--dim', 'abc'], /--dim: expected a whole number from 0 to 128, got "abc"/],
    [['--dim', '129'], /--dim: expected a whole number from 0 to 128/],
    [['--neighbors', '101'], /--neighbors: expected a whole number from 0 to 100/],
    [['--iters', '0'], /--iters: expected a whole number from 1 to 1000/],
    [['--min-count', '-1'], /--min-count: expected a whole number/],
    [['--seed', '-1'], /--seed: expected a whole number from 0 to 18446744073709551615/],
    [['--lambda', '0'], /--lambda: expected a number above 0 to 1e\+06/],
    [['--alpha=nan'], /--alpha: expected a number from 0 to 1e\+06, got "nan"/],
    [['--shrink'], /--shrink needs a value/],
    [['--weights', 'bought=1'], /--weights: unknown event type "bought"/],
    [['--weights', 'view=200'], /--weights: view=200: expected a weight from 0 to 100/],
    [['--dimension', '8'], /unknown flag "--dimension"/],
    [['--dim', '8', '--dim', '4'], /--dim is given twice/],
    [['stray'], /unexpected argument "stray"/],
  ];
  for (const [extra, pattern] of cases) {
    const r = train([...files, ...extra], { 'e.csv': 'user,item,timestamp\n', 'small.json': SMALL_CATALOG });
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /--help/);
  }
  let r = train(['--catalog', '@small.json', '--out', '@never.json']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--events is required/);
  assert.ok(!existsSync(join(dir, 'never.json')));

  r = train(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--events', '--catalog', '--out', '--dim', '--iters', '--lambda', '--alpha', '--neighbors',
    '--shrink', '--seed', '--min-count', '--weights', '--self-test']) {
    assert.ok(r.stdout.includes(flag), `--help lists ${flag}`);
  }
});
