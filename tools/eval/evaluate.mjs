/**
 * The evaluation: reads the inputs, plans the held-out events, replays every user through the
 * engine at every level (in worker threads when --jobs > 1), and turns the ranks into metrics,
 * lifts with bootstrap intervals, privacy costs and verdicts.  See tools/eval/README.md.
 */
import { Worker } from 'node:worker_threads';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import { createEngine } from '../../js/node.js';
import { prng } from '../../scripts/gen-catalog.mjs';
import { InputError } from './csv.mjs';
import { readCatalog, readConfig, readEvents, readTraits, readGroups, EVENT_TYPES, TYPE_IMPRESSION } from './data.mjs';
import { Runner, LEVELS, engineConfig, SHORT_NONE, SHORT_TOP_K } from './runner.mjs';
import { hit, ndcg, rr, mean, summarise, quantile, coverage, bootstrapLift, bootstrapDiff, verdict, confidenceText } from './metrics.mjs';

/** The brief's claimed engagement lift of each level over `none` (fractions). */
export const CLAIMS = {
  segment: [0.15, 0.25],
  behavioral: [0.30, 0.50],
  contextual: [0.40, 0.60],
  individual: [0.60, 1.00],
};

export const DEFAULTS = {
  levels: LEVELS,
  split: 0.8,
  tune: 'ranking.weights.popularity=0.1,0.3,1',
  k: 10,
  bootstrap: 1000,
  confidence: 0.95,
  seed: 1,
  sampled: 100,
  minItems: 3,
  strictItems: false,
  userFraction: 1,
  utcOffset: 0,
  jobs: Math.max(1, Math.min(4, availableParallelism())),
  quiet: false,
};

/** Parses `path=v1,v2,…` (values as JSON: numbers, true/false, "strings"). */
export function parseTune(spec) {
  if (!spec || spec === 'none') return null;
  const m = /^([A-Za-z][\w.]*)=(.+)$/.exec(spec);
  if (!m) throw new InputError(`--tune: expected config.path=value,value,… (e.g. ranking.weights.popularity=0.1,0.3,1), got "${spec}"`);
  const values = m[2].split(',').map((v) => {
    const s = v.trim();
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  });
  return { path: m[1], values };
}

function getPath(obj, path) {
  let cur = obj;
  for (const k of path.split('.')) cur = cur == null ? undefined : cur[k];
  return cur;
}

/** A tiny catalog for validating configs without parsing the real one again. */
const PROBE_CATALOG = { version: 1, items: [{ id: 'probe', tags: ['probe'] }] };

/** Progress on stderr: users done / total, rate and ETA; silent when quiet. */
function progressMeter(quiet, stream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let label = '';
  let total = 0;
  let done = 0;
  let t0 = 0;
  let lastPrint = 0;
  const line = (final) => {
    const secs = (performance.now() - t0) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const tail = final ? `in ${secs.toFixed(1)} s` : `${rate.toFixed(0)} users/s, ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`;
    return `attune-eval: ${label} ${done}/${total} users (${tail})`;
  };
  return {
    start(l, n) {
      label = l;
      total = n;
      done = 0;
      t0 = performance.now();
      lastPrint = 0;
    },
    add(n) {
      done += n;
      if (quiet) return;
      const now = performance.now();
      if (tty && now - lastPrint > 250) {
        stream.write(`\r${line(false)}\x1b[K`);
        lastPrint = now;
      } else if (!tty && now - lastPrint > 10000) {
        if (lastPrint) stream.write(`${line(false)}\n`);
        lastPrint = now;
      }
    },
    end() {
      if (!quiet) stream.write(`${tty ? '\r' : ''}${line(true)}${tty ? '\x1b[K' : ''}\n`);
    },
    note(msg) {
      if (!quiet) stream.write(`attune-eval: ${msg}\n`);
    },
    /** Rows read so far from a large file (throttled like the rest). */
    reading(file, rows) {
      if (quiet) return;
      const now = performance.now();
      if (!t0) t0 = now;
      if (now - lastPrint < (tty ? 500 : 10000)) return;
      lastPrint = now;
      const rate = rows / Math.max((now - t0) / 1000, 1e-3);
      stream.write(`${tty ? '\r' : ''}attune-eval: reading ${file}: ${rows.toLocaleString('en-US')} rows (${Math.round(rate).toLocaleString('en-US')} rows/s)${tty ? '\x1b[K' : '\n'}`);
    },
  };
}

/** Wraps an engine error about the config or the catalog as an InputError naming the file. */
function engineInputError(err, files) {
  if (!err || err.name !== 'AttuneError') return err;
  const file = err.code === 'bad_config' || err.code === 'level_not_allowed' ? files.config ?? '--config'
    : ['bad_catalog', 'bad_json', 'too_large'].includes(err.code) ? files.catalog : null;
  return new InputError(`${err.message} (${err.code})`, { file });
}

/**
 * Plans each user's held-out events (indices relative to the user's first event):
 *   tune/test — the second-last and last "new-item" events (a positive-type event on an item
 *               the user never touched before), when the user has at least minItems of them;
 *   tsEnd/tsTarget — the first event at or after the split time T, and the first new-item
 *               event at or after it, when the user had a non-impression event before T.
 */
export function plan(ev, positive, minItems, T) {
  const U = ev.off.length - 1;
  const out = new Int32Array(4 * U).fill(-1);
  for (let u = 0; u < U; u++) {
    const a = ev.off[u];
    const b = ev.off[u + 1];
    const seen = new Set();
    const eligible = [];
    let tsEnd = -1;
    let before = false;
    for (let i = a; i < b; i++) {
      if (tsEnd < 0 && ev.time[i] >= T) tsEnd = i - a;
      if (tsEnd < 0 && ev.type[i] !== TYPE_IMPRESSION) before = true;
      if (positive[ev.type[i]] && !seen.has(ev.item[i])) eligible.push(i - a);
      if (ev.type[i] !== TYPE_IMPRESSION) seen.add(ev.item[i]);
    }
    if (eligible.length >= minItems) {
      out[4 * u] = eligible[eligible.length - 2];
      out[4 * u + 1] = eligible[eligible.length - 1];
    }
    if (tsEnd > 0 && before) {
      const target = eligible.find((i) => i >= tsEnd);
      if (target !== undefined) {
        out[4 * u + 2] = tsEnd;
        out[4 * u + 3] = target;
      }
    }
  }
  return out;
}

/**
 * How many planned held-out events (tuning, test and time-split targets; an event planned for
 * two of them counts once) are on an item whose publishedAt is after the event.  The runner
 * keeps such an item a candidate; this is the count the report states.
 * @param {{ off: Int32Array, item: Int32Array, time: Float64Array }} ev
 * @param {Int32Array} plans as plan() returns them
 * @param {Float64Array} published publish time per item (-Infinity = always published)
 */
export function publishedAfterUse(ev, plans, published) {
  let n = 0;
  for (let u = 0; u + 1 < ev.off.length; u++) {
    const a = ev.off[u];
    const held = new Set([plans[4 * u], plans[4 * u + 1], plans[4 * u + 3]].filter((i) => i >= 0));
    for (const i of held) if (published[ev.item[a + i]] > ev.time[a + i]) n++;
  }
  return n;
}

/** Splits users into `jobs` contiguous shards of about equal event counts. */
export function shards(ev, plans, traitsOf, jobs) {
  const U = ev.off.length - 1;
  const total = ev.off[U];
  const out = [];
  let u0 = 0;
  for (let j = 0; j < jobs && u0 < U; j++) {
    const goal = ((j + 1) / jobs) * total;
    let u1 = u0 + 1;
    while (u1 < U && (j === jobs - 1 || ev.off[u1] < goal)) u1++;
    const a = ev.off[u0];
    const b = ev.off[u1];
    out.push({
      n: u1 - u0, first: u0,
      off: Int32Array.from(ev.off.subarray(u0, u1 + 1), (x) => x - a),
      item: ev.item.slice(a, b), time: ev.time.slice(a, b), type: ev.type.slice(a, b), device: ev.device.slice(a, b),
      traits: traitsOf.slice(u0, u1), plan: plans.slice(4 * u0, 4 * u1), names: ev.users.slice(u0, u1),
    });
    u0 = u1;
  }
  return out;
}

/** Runs a pass on every shard (workers, or in-process for one job). */
async function runPass(setup, parts, cmd, extra, meter) {
  if (parts.length === 1) {
    const runner = setup.runner ??= new Runner(setup.config_);
    const r = cmd === 'tune' ? await runner.tune(parts[0], () => meter.add(1))
      : await runner.test(parts[0], extra.chosen, extra.baseVariant, () => meter.add(1));
    return [r];
  }
  setup.workers ??= parts.map((shard) => new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { setup: setup.config_, shard } }));
  return Promise.all(setup.workers.map((w) => new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.progress) return meter.add(msg.progress);
      w.off('message', onMessage);
      w.off('error', onError);
      if (msg.error) reject(Object.assign(new Error(msg.error.message), { code: msg.error.code, stack: msg.error.stack }));
      else resolve(msg.result);
    };
    const onError = (err) => reject(err);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage({ cmd, ...extra });
  })));
}

function closeSetup(setup) {
  setup.runner?.close();
  for (const w of setup.workers ?? []) w.terminate();
}

function concatInt(parts, pick, n) {
  const out = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    const a = pick(p);
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/**
 * Evaluates.  `opts`: { events, catalog, traits?, config?, …DEFAULTS }.  Returns the report
 * object (see report.mjs for how it is written).
 */
export async function evaluate(opts) {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  const meter = progressMeter(o.quiet, o.stderr);
  const t0 = performance.now();
  const levels = o.levels;
  for (const l of levels) if (!LEVELS.includes(l)) throw new InputError(`--levels: unknown level "${l}" (use ${LEVELS.join(', ')})`);
  if (!levels.includes('none')) throw new InputError('--levels must include none: lifts are measured over it');
  if (!(o.split > 0 && o.split < 1)) throw new InputError('--split: expected a fraction between 0 and 1, e.g. 0.8');
  if (!(o.userFraction > 0 && o.userFraction <= 1)) throw new InputError('--user-fraction: expected a fraction in (0, 1]');
  if (!(Number.isInteger(o.k) && o.k >= 1 && o.k <= 100)) throw new InputError('--k: expected a whole number from 1 to 100');
  if (!(o.confidence > 0 && o.confidence < 1)) throw new InputError('--confidence: expected a fraction between 0 and 1, e.g. 0.95');
  if (!(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new InputError('--jobs: expected a whole number ≥ 1');
  if (!(Number.isInteger(o.minItems) && o.minItems >= 2)) throw new InputError('--min-items: expected a whole number ≥ 2');
  const files = { events: basename(o.events), catalog: basename(o.catalog), traits: o.traits ? basename(o.traits) : null,
    config: o.config ? basename(o.config) : null, groups: o.groups ? basename(o.groups) : null };

  const catalog = readCatalog(o.catalog);
  const config = readConfig(o.config);
  const tune = parseTune(o.tune);

  /* the engine validates the catalog and config; errors name the file */
  let probe;
  try {
    probe = await createEngine({ catalog: catalog.text, config: engineConfig(config, 'none', null), storage: 'memory' });
  } catch (err) {
    throw engineInputError(err, files);
  }
  const effective = probe.config;
  const catalogInfo = probe.catalogInfo;
  probe.close();
  const positive = EVENT_TYPES.map((t) => t !== 'impression' && (effective.events?.[t] ?? 0) > 0);
  if (tune) {
    const current = getPath(effective, tune.path);
    if (current === undefined) throw new InputError(`--tune: ${tune.path} is not a config key`);
    if (!tune.values.some((v) => v === current)) tune.values.push(current);
  }
  const baseVariant = tune ? tune.values.findIndex((v) => v === getPath(effective, tune.path)) : 0;
  const levelInfo = {};
  for (const level of levels) {
    for (let v = 0; v < (tune ? tune.values.length : 1); v++) {
      let e;
      try {
        e = await createEngine({ catalog: PROBE_CATALOG, config: engineConfig(config, level, tune, tune?.values[v]), storage: 'memory' });
      } catch (err) {
        if (tune && v !== baseVariant && err?.code === 'bad_config') {
          throw new InputError(`--tune ${tune.path}=${JSON.stringify(tune.values[v])}: ${err.message} (${err.code})`);
        }
        throw engineInputError(err, files);
      }
      if (v === 0) {
        const pr = e.privacyReport();
        levelInfo[level] = { leaves: pr.leavesDevice, keeps: pr.storedByLevel.find((s) => s.level === level)?.keeps,
          epsilonPerEpoch: level === 'none' ? null : pr.label.epsilonPerEpoch, labels: pr.label.labels };
      }
      e.close();
    }
  }

  /* events, streamed */
  meter.note(`reading ${files.events}`);
  const ev = await readEvents(o.events, catalog, { strictItems: o.strictItems, userFraction: o.userFraction,
    onProgress: (rows) => meter.reading(files.events, rows) });
  if (ev.stats.rows >= 0x10000) meter.note(`read ${files.events}: ${ev.stats.rows.toLocaleString('en-US')} rows`);
  const U = ev.users.length;
  if (U === 0) throw new InputError('no events left to evaluate (are the item ids those of the catalog?)', { file: files.events });

  let traitsStats = null;
  const traitsOf = new Array(U).fill(null);
  if (o.traits) {
    const tr = await readTraits(o.traits, effective.traits ?? {});
    let matched = 0;
    for (const [user, t] of tr.byUser) {
      const u = ev.userIndex.get(user);
      if (u === undefined) continue;
      traitsOf[u] = Object.keys(t).length ? t : null;
      matched++;
    }
    traitsStats = { rows: tr.stats.rows, matched, withoutEvents: tr.stats.rows - matched };
  }

  /* groups: a label per user (or none), for the per-group tables */
  let groupStats = null;
  const groupOf = new Array(U).fill(null);
  if (o.groups) {
    const gr = await readGroups(o.groups);
    let matched = 0;
    for (const [user, g] of gr.byUser) {
      const u = ev.userIndex.get(user);
      if (u === undefined) continue;
      groupOf[u] = g;
      matched++;
    }
    groupStats = { rows: gr.stats.rows, labels: gr.labels, matched, withoutEvents: gr.byUser.size - matched };
  }

  const sortedTimes = Float64Array.from(ev.time).sort();
  const T = quantile(sortedTimes, o.split);
  const plans = plan(ev, positive, o.minItems, T);
  let looN = 0;
  let tsN = 0;
  for (let u = 0; u < U; u++) {
    if (plans[4 * u + 1] >= 0) looN++;
    if (plans[4 * u + 3] >= 0) tsN++;
  }
  const futureTargets = publishedAfterUse(ev, plans, catalog.published);
  if (looN === 0 && tsN === 0) {
    throw new InputError(`no user has enough history: leave-last-out needs ${o.minItems} distinct items with positive events per user`, { file: files.events });
  }

  const jobs = Math.min(o.jobs, U);
  const parts = shards(ev, plans, traitsOf, jobs);
  const setup = {
    config_: {
      catalogText: catalog.text, ids: catalog.ids, published: catalog.published, config, levels, tune,
      k: o.k, sampled: o.sampled, seed: o.seed, utcOffset: o.utcOffset,
    },
  };
  const V = tune ? tune.values.length : 1;
  let pass1;
  let pass2;
  const tuning = {};
  try {
    meter.start(`pass 1/2 (tuning, ${levels.length} levels × ${V} settings):`, U);
    pass1 = await runPass(setup, parts, 'tune', {}, meter);
    meter.end();
    /* choose each level's setting on the tuning events */
    for (const level of levels) {
      const rows = [];
      for (let v = 0; v < V; v++) {
        const ranks = concatInt(pass1, (r) => r.ranks[`${level}|${v}`], U);
        const rs = [];
        for (let u = 0; u < U; u++) if (ranks[u] >= 0) rs.push(ranks[u] || null);
        const m = summarise(rs, o.k);
        const shortTopK = pass1.reduce((s, r) => s + r.short[`${level}|${v}`], 0);
        rows.push({ value: tune ? tune.values[v] : null, hr: m.hr, ndcg: m.ndcg, n: m.n, shortTopK });
      }
      let best = baseVariant;
      rows.forEach((r, v) => {
        if (r.ndcg > rows[best].ndcg + 1e-12) best = v;
      });
      tuning[level] = { chosen: best, value: rows[best].value, rows };
    }
    const chosen = Object.fromEntries(levels.map((l) => [l, tuning[l].chosen]));
    meter.start(`pass 2/2 (testing, ${levels.length} levels):`, U);
    pass2 = await runPass(setup, parts, 'test', { chosen, baseVariant }, meter);
    meter.end();
  } finally {
    closeSetup(setup);
  }

  /* assemble */
  const K = o.k;
  const rand = () => prng(o.seed);
  const perLevel = {};
  const looUsers = [];
  const tsUsers = [];
  for (let u = 0; u < U; u++) {
    if (plans[4 * u + 1] >= 0) looUsers.push(u);
    if (plans[4 * u + 3] >= 0) tsUsers.push(u);
  }
  for (const level of levels) {
    const parts2 = pass2.map((r) => r[level]);
    const looRank = concatInt(parts2, (r) => r.looRank, U);
    const tsRank = concatInt(parts2, (r) => r.tsRank, U);
    const looTop = concatInt(parts2, (r) => r.looTop, U * K);
    const tsTop = concatInt(parts2, (r) => r.tsTop, U * K);
    const points = [];
    const bytes = [];
    const sampled = [];
    const negatives = [];
    const candidates = [];
    /* rankings that came back shorter than asked: [any, fewer than the top k] per protocol */
    const short = { loo: [0, 0], ts: [0, 0] };
    const countShort = (c, f) => {
      if (f !== SHORT_NONE) c[0]++;
      if (f === SHORT_TOP_K) c[1]++;
    };
    for (const p of parts2) {
      for (let i = 0; i < p.points.length; i++) {
        if (p.points[i] >= 0) {
          points.push(p.points[i]);
          bytes.push(p.bytes[i]);
          candidates.push(p.candidates[i]);
          countShort(short.loo, p.looShort[i]);
        }
        if (p.tsRank[i] >= 0) countShort(short.ts, p.tsShort[i]);
        if (p.looSampled[i] >= 0) {
          sampled.push(p.looSampled[i]);
          negatives.push(p.looNegatives[i]);
        }
      }
    }
    const byKey = {};
    for (const p of parts2) for (const [k, arr] of Object.entries(p.byKey)) (byKey[k] ??= []).push(...arr);
    const tops = (top, users) => users.map((u) => Array.from(top.subarray(u * K, u * K + K)).filter((x) => x >= 0));
    perLevel[level] = {
      looRanks: looUsers.map((u) => looRank[u] || null),
      tsRanks: tsUsers.map((u) => tsRank[u] || null),
      looCoverage: coverage(tops(looTop, looUsers), catalog.ids.length),
      tsCoverage: coverage(tops(tsTop, tsUsers), catalog.ids.length),
      looTopKey: Array.from(looTop).join(','),
      sampled, negatives, short,
      points, bytes, candidates,
      byKey: Object.fromEntries(Object.entries(byKey).map(([k, a]) => [k, mean(a)])),
      leaves: pass2[0]?.[level]?.leaves ?? [],
    };
  }

  /* per level: HR@k, NDCG@k and MRR over the users whose ranks are given, the lift over none,
     and `vs`: the paired difference from each level below it other than none (same users) */
  const perUser = (ranks) => ({ hr: ranks.map((r) => hit(r, K)), ndcg: ranks.map((r) => ndcg(r, K)), mrr: ranks.map(rr) });
  const compareLevels = (ranksOf) => {
    const out = {};
    const vals = Object.fromEntries(levels.map((l) => [l, perUser(ranksOf(l))]));
    for (const [i, level] of levels.entries()) {
      const ranks = ranksOf(level);
      const m = summarise(ranks, K);
      const row = { users: ranks.length, hr: m.hr, ndcg: m.ndcg, mrr: m.mrr };
      if (level !== 'none') {
        row.lift = {};
        for (const x of ['hr', 'ndcg', 'mrr']) row.lift[x] = bootstrapLift(vals[level][x], vals.none[x], { B: o.bootstrap, rand: rand(), level: o.confidence });
        row.vs = {};
        for (const below of levels.slice(0, i)) {
          if (below === 'none') continue;
          row.vs[below] = {};
          for (const x of ['hr', 'ndcg', 'mrr']) row.vs[below][x] = bootstrapDiff(vals[level][x], vals[below][x], { B: o.bootstrap, rand: rand(), level: o.confidence });
        }
      }
      out[level] = row;
    }
    return out;
  };
  const protocolResult = (key, covKey, shortKey) => {
    const out = compareLevels((l) => perLevel[l][key]);
    for (const level of levels) {
      const [shortLists, shortTopK] = perLevel[level].short[shortKey];
      Object.assign(out[level], { coverage: perLevel[level][covKey], shortLists, shortTopK });
    }
    return out;
  };
  const loo = looUsers.length ? protocolResult('looRanks', 'looCoverage', 'loo') : null;
  const timeSplit = tsUsers.length ? protocolResult('tsRanks', 'tsCoverage', 'ts') : null;
  /* each group's leave-last-out users, compared the same way */
  const groups = {};
  if (loo && groupStats) {
    for (const label of groupStats.labels) {
      const idx = [];
      looUsers.forEach((u, j) => {
        if (groupOf[u] === label) idx.push(j);
      });
      if (!idx.length) {
        groups[label] = { users: 0, levels: null };
        continue;
      }
      groups[label] = { users: idx.length, levels: compareLevels((l) => idx.map((j) => perLevel[l].looRanks[j])) };
    }
  }

  if (loo) {
    for (const level of levels) {
      const s = perLevel[level].sampled;
      const drawn = perLevel[level].negatives;
      /* events with fewer other candidates than --sampled are ranked among all of them */
      const fewer = drawn.filter((d) => d < o.sampled);
      loo[level].sampled = { negatives: o.sampled, hr: s.length ? mean(s.map((r) => (r <= K ? 1 : 0))) : null,
        events: s.length, fewerNegatives: fewer.length, fewerNegativesMean: fewer.length ? mean(fewer) : null };
    }
  }

  const privacy = {};
  for (const level of levels) {
    const L = perLevel[level];
    const sortedB = Float64Array.from(L.bytes).sort();
    const sortedP = Float64Array.from(L.points).sort();
    privacy[level] = {
      dataPoints: { mean: mean(L.points), median: quantile(sortedP, 0.5), max: sortedP[sortedP.length - 1] ?? null },
      bytes: { mean: mean(L.bytes), median: quantile(sortedB, 0.5), max: sortedB[sortedB.length - 1] ?? null },
      byKind: L.byKey,
      leavesDevice: levelInfo[level].leaves,
      leavesKinds: L.leaves,
      keeps: levelInfo[level].keeps,
      epsilonPerEpoch: levelInfo[level].epsilonPerEpoch,
    };
  }

  /* levels that rank exactly like the level below them (e.g. before contextual/individual land) */
  const sameAsBelow = {};
  for (let i = 1; i < levels.length; i++) {
    const a = perLevel[levels[i]];
    const b = perLevel[levels[i - 1]];
    if (levels[i] !== 'none' && a.looTopKey === b.looTopKey && a.looRanks.every((r, j) => r === b.looRanks[j])) sameAsBelow[levels[i]] = levels[i - 1];
  }

  const verdicts = {};
  if (loo) {
    for (const level of levels) {
      if (!CLAIMS[level]) continue;
      const l = loo[level].lift.hr;
      verdicts[level] = { claim: CLAIMS[level], metric: `HR@${K} lift over none, leave-last-out (${confidenceText(l.level)} interval)`,
        lift: l.lift, lo: l.lo, hi: l.hi, level: l.level, ...verdict(l, CLAIMS[level]) };
    }
  }

  return {
    tool: 'attune-eval',
    version: 1,
    generatedAt: new Date().toISOString(),
    elapsedSeconds: Math.round((performance.now() - t0) / 100) / 10,
    inputs: {
      files,
      synthetic: Boolean(o.synthetic),
      events: { rows: ev.stats.rows, kept: ev.stats.kept, unknownItems: ev.stats.unknownItems,
        unknownItemIds: ev.stats.unknownItemIds, unknownItemLines: ev.stats.unknownItemLines,
        usersSampledOut: ev.stats.usersSampledOut, eventsSampledOut: ev.stats.eventsSampledOut,
        hasType: ev.stats.hasType, hasDevice: ev.stats.hasDevice },
      users: U,
      traits: traitsStats,
      groups: groupStats,
      catalog: { items: catalog.ids.length, tags: catalogInfo.tags, categories: catalogInfo.categories, dim: catalogInfo.dim },
      targetTypes: EVENT_TYPES.filter((_, i) => positive[i]),
      publishedAfterUse: futureTargets,
    },
    settings: {
      levels, k: K, split: o.split, splitTime: new Date(T).toISOString(), minItems: o.minItems,
      bootstrap: o.bootstrap, confidence: o.confidence, seed: o.seed, sampled: o.sampled, utcOffsetMinutes: o.utcOffset, jobs,
      tune: tune ? { path: tune.path, values: tune.values, configured: tune.values[baseVariant] } : null,
      userFraction: o.userFraction, strictItems: o.strictItems,
    },
    tuning,
    protocols: {
      leaveLastOut: loo ? { users: looUsers.length, skippedUsers: U - looUsers.length, levels: loo, groups } : null,
      timeSplit: timeSplit ? { users: tsUsers.length, skippedUsers: U - tsUsers.length, levels: timeSplit } : null,
    },
    privacy,
    sameAsBelow,
    verdicts,
    claims: CLAIMS,
  };
}
