#!/usr/bin/env node
/**
 * `make bench`: one run, one table of medians.  Node over the wasm for the engine calls;
 * Chromium for IndexedDB save/load and cold start.  Nothing here is asserted by `make test`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { createEngine, MemoryStorage } from '../js/node.js';
import { benchCatalog, benchHistory } from './catalog.mjs';
import { time, timeAsync } from './stats.mjs';
import { browserBench } from './browser.mjs';

const NOW = 1.8e12;
const rows = [];
const row = (what, value, unit, target = '') => {
  rows.push({ what, value, unit, target });
  console.log(`${what.padEnd(58)} ${String(value).padStart(10)} ${unit.padEnd(6)} ${target}`);
};
const fmt = (ms) => (ms < 0.1 ? ms.toFixed(4) : ms.toFixed(3));

console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}\n`);

for (const file of ['dist/attune.wasm', 'dist/attune.js']) {
  const b = readFileSync(new URL(`../${file}`, import.meta.url));
  row(`${file} size (raw / gzip -9)`, `${(b.length / 1024).toFixed(1)} / ${(gzipSync(b, { level: 9 }).length / 1024).toFixed(1)}`, 'KB',
    file.endsWith('wasm') ? '<= 25 KB gzip' : '<= 8 KB gzip');
}

for (const n of [1000, 10000]) {
  const catalog = JSON.stringify(benchCatalog(n, { now: NOW }));
  let t = NOW;
  const loadMs = await timeAsync(async () => {
    const e = await createEngine({ catalog, now: () => t });
    e.close();
  }, { warmup: 1, runs: 5 });
  row(`createEngine + catalog JSON load, ${n} items`, fmt(loadMs), 'ms');
  const storage = new MemoryStorage();
  const e = await createEngine({
    catalog, storage, now: () => t,
    config: { privacyLevel: 'behavioral', traits: { plan: ['free', 'pro'] },
      segments: [{ label: 'pro', when: { plan: ['pro'] }, boost: { tags: { tag1: 0.5, tag2: 0.3 } } }] },
  });
  await e.setTraits({ plan: 'pro' });
  for (const ev of benchHistory(n, { now: NOW })) await e.track(ev);
  for (const level of ['none', 'segment', 'behavioral']) {
    await e.setPrivacyLevel(level);
    if (level === 'behavioral') for (const ev of benchHistory(n, { now: NOW })) await e.track(ev);
    row(`recommend k=10, ${n} items, level ${level}`, fmt(time(() => e.recommend({ k: 10 }))), 'ms',
      n === 10000 ? '<= 1 ms (individual)' : '');
  }
  let i = 0;
  row(`track(), ${n} items, level behavioral`, fmt(time(() => { e.track({ item: `i${i++ % n}`, type: 'view' }); }, { runs: 500 }) * 1000), 'µs', '<= 20 µs');
  row(`explain, ${n} items`, fmt(time(() => e.explain('i5'))), 'ms');
  await e.flush();
  row(`snapshot bytes (100 interactions)`, storage.peek('default').length, 'B');
  e.close();
}

for (const r of await browserBench()) row(r.what, r.value, r.unit, r.target);
