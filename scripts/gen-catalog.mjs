#!/usr/bin/env node
/**
 * Generates a synthetic news catalog in Attune's format with a fixed seed: categories with
 * their own tag vocabularies and latent topic vectors, Zipf-like popularity, publish times over
 * the last weeks, item vectors near their category's topic, and related items (neighbors) by
 * vector similarity.  The demo and the benchmarks use it; nothing in it is typed by hand.
 *
 * With --display (the demo site) each item also gets what a news page shows: a headline built
 * from its own tags, a standfirst (`summary`), an `author` and `readMinutes`.  Those come from a
 * second seeded stream, so every other field is the same with or without --display.
 *
 *   node scripts/gen-catalog.mjs [--items 400] [--dim 16] [--tags 4] [--neighbors 6]
 *                                [--seed 7] [--now ms] [--display] [--out file]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** mulberry32: a small seeded PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = {
  world: { tags: ['elections', 'diplomacy', 'europe', 'asia', 'africa', 'americas', 'conflict', 'migration', 'un'],
    nouns: ['Summit', 'Treaty', 'Election', 'Border talks', 'Coalition', 'Ceasefire', 'Referendum'] },
  tech: { tags: ['ai', 'security', 'startups', 'gadgets', 'open-source', 'cloud', 'privacy', 'chips', 'web'],
    nouns: ['Chipmaker', 'Start-up', 'Browser', 'Open-source project', 'AI lab', 'Cloud outage', 'Smartphone'] },
  science: { tags: ['space', 'climate', 'biology', 'physics', 'oceans', 'research', 'energy', 'astronomy'],
    nouns: ['Telescope', 'Study', 'Mission', 'Experiment', 'Survey', 'Expedition', 'Fusion test'] },
  business: { tags: ['markets', 'economy', 'retail', 'banking', 'jobs', 'trade', 'housing', 'startups'],
    nouns: ['Central bank', 'Retailer', 'Market rally', 'Merger', 'Jobs report', 'Trade deal', 'Housing data'] },
  sport: { tags: ['football', 'tennis', 'cycling', 'athletics', 'basketball', 'olympics', 'transfers'],
    nouns: ['Final', 'Derby', 'Grand tour', 'Transfer', 'Record run', 'Comeback', 'Title race'] },
  culture: { tags: ['film', 'music', 'books', 'art', 'theatre', 'food', 'travel', 'design'],
    nouns: ['Festival', 'Novel', 'Album', 'Exhibition', 'Premiere', 'Restaurant', 'Museum'] },
  health: { tags: ['health', 'fitness', 'nutrition', 'sleep', 'medicine', 'mental-health'],
    nouns: ['Trial', 'Clinic', 'Vaccine', 'Diet study', 'Sleep research', 'Hospital'] },
};
const VERBS = ['surprises', 'divides', 'reshapes', 'tests', 'revives', 'stalls', 'lifts', 'challenges', 'opens', 'rethinks'];
const OBJECTS = ['expectations', 'the old guard', 'a crowded field', 'its critics', 'the season', 'investors',
  'a new generation', 'the rules', 'the market', 'the region'];
const LEVELS = ['basics', 'advanced', 'briefing', 'explainer', 'analysis', 'opinion'];

function normalise(v) {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

/* --- display copy for the demo (--display) ---------------------------------------------- */

/** Who or what a story is about, by tag (lower case; capitalised at the start of a headline). */
const SUBJECTS = {
  elections: ['the presidential run-off', 'a snap election in the north', 'first-time voters'],
  diplomacy: ['foreign ministers', 'a quiet diplomatic back-channel', 'the new ambassador'],
  europe: ['the European Commission', 'the Baltic states', 'Alpine border towns'],
  asia: ['South-East Asian neighbours', 'a Pacific trade bloc', 'Seoul and Tokyo'],
  africa: ['the African Union', "Nairobi's tech corridor", 'Sahel governments'],
  americas: ['the Andean nations', 'the Mercosur partners', "Canada's premiers"],
  conflict: ['ceasefire monitors', 'a fragile truce', 'peace negotiators'],
  migration: ['a new asylum pact', 'seasonal workers', 'border communities'],
  un: ['the UN Security Council', 'UN aid agencies', 'the General Assembly'],
  ai: ['an open AI model', 'chatbot makers', 'a robotics lab'],
  security: ['a ransomware gang', 'password managers', 'a zero-day flaw'],
  gadgets: ['a foldable phone', 'smart-glasses makers', 'a budget e-reader'],
  'open-source': ['a volunteer-run database', 'Linux maintainers', 'an open-source browser engine'],
  cloud: ['a major cloud region', 'data-centre builders', 'serverless platforms'],
  privacy: ['ad-tech firms', 'on-device AI', 'a new cookie law'],
  chips: ['a 2-nanometre chip line', 'chip designers', 'a memory-chip maker'],
  web: ['web developers', 'a browser standards group', 'WebAssembly'],
  space: ['a lunar lander', 'the Mars sample mission', 'a private space station'],
  climate: ['Arctic sea ice', 'a carbon-capture plant', 'climate modellers'],
  biology: ['a deep-sea microbe', 'gene-editing researchers', 'migrating eels'],
  physics: ['a tabletop particle experiment', 'quantum physicists', 'an optical atomic clock'],
  oceans: ['coral reefs', 'an ocean-floor survey', 'plankton blooms'],
  research: ['a ten-year field study', 'university labs', 'peer reviewers'],
  energy: ['a fusion test reactor', 'grid-scale batteries', 'offshore wind'],
  astronomy: ['a new space telescope', 'a rogue planet', 'amateur astronomers'],
  markets: ['bond markets', 'tech stocks', 'the euro'],
  economy: ['inflation', 'the services sector', 'consumer confidence'],
  retail: ['high-street chains', 'online grocers', 'a discount retailer'],
  banking: ['the central bank', 'regional lenders', 'digital banks'],
  jobs: ['the jobs market', 'remote workers', 'apprenticeships'],
  trade: ['container shipping', 'a new tariff regime', 'port operators'],
  housing: ['first-time buyers', 'city rents', 'house builders'],
  startups: ['venture funds', 'a two-person start-up', 'seed-stage founders'],
  football: ['the league leaders', 'a newly promoted side', "the women's cup holders"],
  tennis: ['a teenage qualifier', 'the world number one', 'an unseeded doubles pair'],
  cycling: ['the mountain stage', 'a lone breakaway rider', 'the defending champion'],
  athletics: ['a marathon favourite', 'the sprint relay team', 'a high-jump prodigy'],
  basketball: ['the conference champions', 'a rookie point guard', 'the national team'],
  olympics: ['Olympic hopefuls', 'the host city', 'the games organisers'],
  transfers: ['a record transfer', 'the summer window', 'a late loan signing'],
  film: ['a debut feature', 'the festival jury', 'a silent-film revival'],
  music: ['a reunion tour', 'a jazz quartet', 'a debut album'],
  books: ['a first novel', 'a translated memoir', 'independent bookshops'],
  art: ['a major retrospective', 'a street-art collective', 'a rediscovered painting'],
  theatre: ['a West End transfer', 'a touring company', 'a new musical'],
  food: ['a neighbourhood bakery', 'fermentation fans', 'a zero-waste kitchen'],
  travel: ['night trains', 'a car-free island', 'slow-travel guides'],
  design: ['a new museum wing', 'a small type foundry', 'flat-pack furniture'],
  health: ['GP surgeries', 'a public-health campaign', 'hospital waiting lists'],
  fitness: ['strength training', 'a couch-to-5K plan', 'older runners'],
  nutrition: ['ultra-processed food', 'a Mediterranean diet trial', 'school lunches'],
  sleep: ['shift workers', 'sleep trackers', 'teenage body clocks'],
  medicine: ['a malaria vaccine', 'a new antibiotic', 'a cancer drug trial'],
  'mental-health': ['talking therapies', 'student counsellors', 'a workplace wellbeing scheme'],
};

/** What happens to the subject, by category (agreement-free, so any subject fits). */
const PREDICATES = {
  world: ['set for a tense week of talks', 'under pressure after a disputed count', 'back at the negotiating table',
    'at a crossroads over aid', 'braced for a long winter', 'in the spotlight ahead of the summit',
    'caught between rival blocs', 'on course for a historic deal'],
  tech: ['under scrutiny from regulators', 'set to ship a year early', 'at the centre of a patent fight',
    'racing to fix a costly bug', 'in talks over a rescue deal', 'back in favour with developers',
    'on the brink of a breakthrough', 'facing hard questions over data'],
  science: ['closer to an answer', 'on the brink of a breakthrough', 'back from a record-breaking season',
    'under the microscope', 'set for a second attempt', 'at the edge of the known', 'full of surprises, new data shows',
    'ahead of schedule'],
  business: ['under pressure as costs climb', 'set for a cautious rebound', 'in talks over a merger',
    'at a ten-year high', 'braced for weaker demand', 'back in the black', 'caught in the tariff crossfire',
    'on track for a record quarter'],
  sport: ['on course for the title', 'back from the brink', 'under pressure before the derby', 'set for a grand finale',
    'in search of a first win', 'through to the final', 'chasing a record', 'in the form of their lives'],
  culture: ['back in the spotlight', 'set to open in spring', 'at the heart of a revival', 'worth the wait',
    'in the running for the top prize', 'ahead of a sold-out run', 'off the beaten track',
    'reimagined for a new generation'],
  health: ['under strain this winter', 'on trial in a major study', 'set for a national roll-out', 'back in the headlines',
    'closer to approval', 'in the spotlight after new findings', 'under review by experts', 'ahead of flu season'],
};

/** How each format announces itself: headline prefix, standfirst opening, reading time range. */
const FORMATS = {
  basics: { prefix: 'The basics: ', lead: 'A plain-English guide to', minutes: [2, 4] },
  advanced: { prefix: 'In depth: ', lead: 'A detailed look at', minutes: [8, 14] },
  briefing: { prefix: 'Briefing: ', lead: 'The essentials on', minutes: [2, 3] },
  explainer: { prefix: 'Explained: ', lead: 'What you need to know about', minutes: [4, 7] },
  analysis: { prefix: 'Analysis: ', lead: 'Our correspondents weigh up', minutes: [6, 10] },
  opinion: { prefix: 'Opinion: ', lead: 'A personal view on', minutes: [4, 6] },
};

const AUTHORS = ['Amara Okafor', 'Lena Fischer', 'Tomás Ribeiro', 'Priya Raman', 'Jonah Whitfield', 'Mei Lin',
  'Sofia Marchetti', 'Kwame Mensah', 'Ingrid Dahl', 'Rafael Ortega', 'Hannah Cole', 'Yusuf Demir',
  'Claire Dubois', 'Noah Feldman', 'Aiko Tanaka', 'Ruth Adeyemi'];

const HUMAN = { ai: 'AI', un: 'the UN', 'open-source': 'open source', 'mental-health': 'mental health', europe: 'Europe',
  asia: 'Asia', africa: 'Africa', americas: 'the Americas' };

function human(tag) {
  return HUMAN[tag] ?? tag.replace(/-/g, ' ');
}

function capitalise(s) {
  return s[0].toUpperCase() + s.slice(1);
}

/**
 * Headlines and the rest of a news page's copy, from their own seeded stream.  Headlines are
 * unique: a repeat is drawn again (deterministically).
 */
function displayWriter(seed) {
  const rand = prng((seed ^ 0x5eed1e55) >>> 0);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const used = new Set();
  return (item) => {
    const topics = item.tags.filter((t) => SUBJECTS[t]);
    const format = item.tags.find((t) => FORMATS[t]);
    let title = '';
    let subject = '';
    for (let tries = 0; tries < 50 && (!title || used.has(title)); tries++) {
      subject = pick(SUBJECTS[pick(topics)]);
      const plain = `${capitalise(subject)} ${pick(PREDICATES[item.category])}`;
      title = format && rand() < 0.45 ? FORMATS[format].prefix + plain : plain;
    }
    used.add(title);
    item.title = title;
    const others = topics.filter((t) => !SUBJECTS[t].includes(subject)).map(human);
    const about = others.length > 1 ? `${others.slice(0, -1).join(', ')} and ${others.at(-1)}` : others[0] ?? human(item.category);
    const lead = format ? FORMATS[format].lead : 'The latest on';
    item.summary = `${lead} ${subject}, and what it means for ${about}.`;
    item.author = pick(AUTHORS);
    const [lo, hi] = format ? FORMATS[format].minutes : [3, 6];
    item.readMinutes = lo + Math.floor(rand() * (hi - lo + 1));
  };
}

/**
 * @param {{ items?: number, dim?: number, tags?: number, neighbors?: number, seed?: number, now?: number, display?: boolean }} o
 */
export function generateCatalog({ items = 400, dim = 16, tags = 4, neighbors = 6, seed = 7, now = Date.now(), display = false } = {}) {
  const rand = prng(seed);
  const dress = display ? displayWriter(seed) : null;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const names = Object.keys(CATEGORIES);
  const centers = Object.fromEntries(names.map((c) => [c, normalise(Array.from({ length: dim }, gauss))]));
  const day = 86400000;
  const out = [];
  for (let i = 0; i < items; i++) {
    const category = names[Math.floor(rand() ** 1.3 * names.length)];
    const spec = CATEGORIES[category];
    const tagSet = new Set();
    const wanted = Math.max(1, Math.min(tags, spec.tags.length + LEVELS.length));
    while (tagSet.size < wanted - 1) tagSet.add(spec.tags[Math.floor(rand() * spec.tags.length)]);
    tagSet.add(LEVELS[Math.floor(rand() * LEVELS.length)]);
    const title = `${spec.nouns[Math.floor(rand() * spec.nouns.length)]} ${VERBS[Math.floor(rand() * VERBS.length)]} ${OBJECTS[Math.floor(rand() * OBJECTS.length)]}`;
    const item = {
      id: `${category}-${String(i).padStart(4, '0')}`,
      title,
      category,
      tags: [...tagSet],
      popularity: Math.round(10000 / (1 + i * (0.5 + rand()))),
      publishedAt: Math.round(now - rand() ** 2 * 45 * day),
    };
    if (dress) dress(item);
    if (dim > 0) {
      const c = centers[category];
      item.vector = normalise(c.map((x) => x + 0.6 * gauss() / Math.sqrt(dim))).map((x) => Math.round(x * 1e4) / 1e4);
    }
    out.push(item);
  }
  if (dim > 0 && neighbors > 0) addNeighbors(out, neighbors, rand);
  return { version: 1, dim, items: out };
}

/** Related items: the most similar vectors (exact for small catalogs, sampled for large). */
function addNeighbors(items, m, rand) {
  const exact = items.length <= 5000;
  for (const a of items) {
    const pool = exact ? items : Array.from({ length: 200 }, () => items[Math.floor(rand() * items.length)]);
    const scored = [];
    for (const b of pool) {
      if (b === a) continue;
      let dot = 0;
      for (let k = 0; k < a.vector.length; k++) dot += a.vector[k] * b.vector[k];
      scored.push([b.id, dot]);
    }
    scored.sort((x, y) => y[1] - x[1]);
    const seen = new Set();
    a.neighbors = [];
    for (const [id, w] of scored) {
      if (a.neighbors.length === m) break;
      if (seen.has(id) || w <= 0) continue;
      seen.add(id);
      a.neighbors.push([id, Math.round(w * 1000) / 1000]);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const get = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const catalog = generateCatalog({
    items: Number(get('--items', 400)),
    dim: Number(get('--dim', 16)),
    tags: Number(get('--tags', 4)),
    neighbors: Number(get('--neighbors', 6)),
    seed: Number(get('--seed', 7)),
    now: Number(get('--now', Math.floor(Date.now() / 3600000) * 3600000)),
    display: args.includes('--display'),
  });
  const text = JSON.stringify(catalog);
  const out = get('--out', null);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
