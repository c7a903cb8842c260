/**
 * attune-eval's command line.  `main(argv, io)` returns the exit status: 0 done, 1 an
 * unexpected failure, 2 bad input or usage (messages name the file and line).
 */
import { InputError } from './csv.mjs';
import { evaluate, DEFAULTS } from './evaluate.mjs';
import { writeReport, summary } from './report.mjs';

export const USAGE = `usage: attune-eval --events events.csv --catalog catalog.json [options]

Replays each user's history through the Attune engine at every personalization level and
reports what each level buys (HR@k, NDCG@k, MRR, coverage, lift over level none with
bootstrap intervals) next to what it costs (data points and bytes stored per user, what
leaves the device).  Writes report.md, report.json and lift.svg.

inputs
  --events FILE        CSV with a header: user,item,timestamp[,type][,device]
                       timestamp: ms since 1970 or ISO-8601 (no offset = UTC); type: view,
                       click (default), like, share, purchase, dismiss, impression;
                       device: mobile, tablet, desktop (optional)
  --catalog FILE       the Attune catalog JSON
  --traits FILE        optional CSV user,<trait>,… (traits declared in config.traits)
  --config FILE        optional Attune config JSON (the site's); privacyLevel is set per level
  --groups FILE        optional CSV user,group: the report adds each group's leave-last-out
                       metrics (the synthetic population writes groups.csv)

protocol
  --levels LIST        levels to evaluate, comma-separated (default: all five; none is required)
  --tune PATH=V,V,…    config setting chosen per level on each user's second-last item
                       (default ${DEFAULTS.tune}; "none" to use the config as is)
  --split F            global time split at this quantile of event times (default ${DEFAULTS.split})
  --min-items N        new items a user needs for leave-last-out (default ${DEFAULTS.minItems})
  --k N                cut-off of HR and NDCG (default ${DEFAULTS.k})
  --sampled N          extra: also rank among N sampled negatives (default ${DEFAULTS.sampled}; 0 = off)
  --bootstrap N        bootstrap resamples (default ${DEFAULTS.bootstrap})
  --confidence F       confidence level of the bootstrap intervals and verdicts (default ${DEFAULTS.confidence})
  --seed N             seed of the bootstrap and the sampled negatives (default ${DEFAULTS.seed})
  --utc-offset MIN     minutes added to timestamps before taking hour and weekday (default 0)
  --strict-items       events on items not in the catalog are errors (default: skipped, counted)
  --user-fraction F    evaluate a stable pseudo-random share of the users (default 1)

output
  --out DIR            where to write report.md, report.json, lift.svg (default attune-eval-report)
  --synthetic          label the report as synthetic data (make eval sets it)
  --jobs N             worker threads (default ${DEFAULTS.jobs}: the cores, at most 4)
  --quiet              no progress on stderr
  --help
`;

const FLAGS = {
  '--events': 'events', '--catalog': 'catalog', '--traits': 'traits', '--config': 'config', '--groups': 'groups', '--out': 'out',
  '--levels': 'levels', '--tune': 'tune', '--split': 'split', '--min-items': 'minItems', '--k': 'k',
  '--sampled': 'sampled', '--bootstrap': 'bootstrap', '--confidence': 'confidence', '--seed': 'seed', '--utc-offset': 'utcOffset',
  '--user-fraction': 'userFraction', '--jobs': 'jobs',
};
const BOOLEANS = { '--strict-items': 'strictItems', '--quiet': 'quiet', '--synthetic': 'synthetic' };
const NUMBERS = new Set(['split', 'minItems', 'k', 'sampled', 'bootstrap', 'confidence', 'seed', 'utcOffset', 'userFraction', 'jobs']);
const INTEGERS = new Set(['minItems', 'k', 'sampled', 'bootstrap', 'seed', 'utcOffset', 'jobs']);

export function parseArgs(argv) {
  const o = { out: 'attune-eval-report' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOLEANS[flag]) {
      if (eq > 0) throw new InputError(`${flag} takes no value`);
      o[BOOLEANS[flag]] = true;
      continue;
    }
    const key = FLAGS[flag];
    if (!key) throw new InputError(`unknown option ${flag} (see --help)`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new InputError(`${flag} needs a value`);
    if (NUMBERS.has(key)) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || (INTEGERS.has(key) && !Number.isInteger(n)) || (key !== 'utcOffset' && n < 0)) {
        throw new InputError(`${flag}: expected a${INTEGERS.has(key) ? ' whole' : ''} number, got "${value}"`);
      }
      o[key] = n;
    } else if (key === 'levels') {
      o.levels = value.split(',').map((s) => s.trim()).filter(Boolean);
    } else {
      o[key] = value;
    }
  }
  if (!o.events) throw new InputError('--events FILE is required (see --help)');
  if (!o.catalog) throw new InputError('--catalog FILE is required (see --help)');
  return o;
}

/**
 * @param {string[]} argv
 * @param {{ stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream }} [io]
 */
export async function main(argv, io = {}) {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let opts;
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      stdout.write(USAGE);
      return 0;
    }
    const report = await evaluate({ ...opts, stderr });
    const files = writeReport(opts.out, report);
    stdout.write(`${summary(report)}\n\nWrote ${files.markdown}, ${files.json} and ${files.svg}\n`);
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      stderr.write(`attune-eval: ${err.message}\n`);
      return 2;
    }
    stderr.write(`attune-eval: unexpected failure: ${err?.stack ?? err}\n`);
    return 1;
  }
}
