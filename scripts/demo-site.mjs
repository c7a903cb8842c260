#!/usr/bin/env node
/**
 * Finishes the demo site after `make site` copied it: writes segments/<label>.json — the
 * newsroom's picks for each segment label in the demo's config, the only thing a visitor's
 * label fetches — checks that the editorial pins name real stories, fills each page's masthead
 * and footer from demo/partials/ (marking the masthead link to the page itself as current), and
 * puts the SRI value of attune.js into the page that includes it with <script>.
 *
 *   node scripts/demo-site.mjs build/site
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const site = resolve(process.argv[2] ?? 'build/site');
const { CONFIG, LABELS, SEGMENT_COPY } = await import(pathToFileURL(join(site, 'js/config.js')).href);
const catalog = JSON.parse(readFileSync(join(site, 'catalog.json'), 'utf8'));
const byId = new Map(catalog.items.map((it) => [it.id, it]));

function fail(message) {
  console.error(`demo-site: ${message}`);
  process.exit(1);
}

for (const pin of CONFIG.editorial?.pins ?? []) {
  if (!byId.has(pin.item)) fail(`editorial pin ${pin.item} is not in catalog.json (was the generator changed?)`);
}

/* The newsroom's picks: stories carrying the segment's boosted tags and categories, weighted
   by popularity and freshness, at most two per section.  Computed here, from public data only. */
const newest = Math.max(...catalog.items.map((it) => it.publishedAt ?? 0));
const DAY = 86400000;
function picks(boost) {
  const scored = catalog.items.map((it) => {
    let affinity = 0;
    for (const t of it.tags) affinity += boost?.tags?.[t] ?? 0;
    affinity += boost?.categories?.[it.category] ?? 0;
    const fresh = Math.exp(-(newest - (it.publishedAt ?? newest)) / (7 * DAY));
    const base = Math.log1p(it.popularity ?? 0) * (0.3 + fresh);
    return { it, score: boost ? affinity * base : base };
  }).filter((s) => s.score > 0).sort((a, b) => b.score - a.score || (a.it.id < b.it.id ? -1 : 1));
  const out = [];
  const perCategory = {};
  for (const { it } of scored) {
    if ((perCategory[it.category] ?? 0) >= 2) continue;
    perCategory[it.category] = (perCategory[it.category] ?? 0) + 1;
    out.push({ id: it.id, title: it.title, category: it.category });
    if (out.length === 5) break;
  }
  return out;
}

mkdirSync(join(site, 'segments'), { recursive: true });
for (const label of LABELS) {
  const segment = CONFIG.segments.find((s) => s.label === label);
  const data = {
    label,
    title: SEGMENT_COPY[label] ?? label,
    note: `Chosen by the newsroom for every reader whose device reports "${label}". This file is all the site serves for the label; it is the same for everyone who asks.`,
    items: picks(segment?.boost ?? null),
  };
  if (!data.items.length) fail(`no picks for segment ${label}`);
  writeFileSync(join(site, 'segments', `${label}.json`), JSON.stringify(data, null, 2));
}

/* The shared masthead and footer.  A masthead link to the page itself (but not the logo) gets
   aria-current="page". */
const partial = (name) => readFileSync(join(site, 'partials', `${name}.html`), 'utf8');
const masthead = partial('masthead');
const footer = partial('footer');
for (const name of readdirSync(site).filter((f) => f.endsWith('.html'))) {
  const file = join(site, name);
  let html = readFileSync(file, 'utf8');
  for (const [slot, text] of [['masthead', masthead.replace(/<a (?!class="logo")([^>]*)href="([^"#]+)"/g,
    (a, attrs, href) => (href === name ? `<a ${attrs}href="${href}" aria-current="page"` : a))], ['footer', footer]]) {
    const marker = new RegExp(`^ *<!-- ${slot}:[^>]*-->\n`, 'm');
    if (!marker.test(html)) fail(`${name} has no <!-- ${slot}: … --> line to fill in`);
    html = html.replace(marker, () => text);
  }
  writeFileSync(file, html);
}
rmSync(join(site, 'partials'), { recursive: true });

/* SRI for the <script> include */
const script = readFileSync(join(site, 'attune/dist/attune.js'));
const sri = `sha384-${createHash('sha384').update(script).digest('base64')}`;
const page = join(site, 'privacy.html');
const html = readFileSync(page, 'utf8');
const filled = html.replace(/(<script src="attune\/dist\/attune\.js" integrity=")[^"]*(")/, `$1${sri}$2`);
if (filled === html) fail('privacy.html has no <script src="attune/dist/attune.js" integrity="…"> to fill in');
writeFileSync(page, filled);

console.log(`demo-site: ${LABELS.length} segment files, ${catalog.items.length} stories, SRI ${sri.slice(0, 19)}…`);
