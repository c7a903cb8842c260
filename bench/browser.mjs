/**
 * Chromium measurements: IndexedDB save and load of a full profile (100 interactions), and cold
 * start to the first ranked list on a 10k-item catalog.
 */
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdirSync } from 'node:fs';
import { serveStatic } from '../scripts/serve.mjs';
import { LAUNCH } from '../tests/browser/harness.js';
import { benchCatalog } from './catalog.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function browserBench() {
  mkdirSync(`${ROOT}build/bench`, { recursive: true });
  writeFileSync(`${ROOT}build/bench/catalog-10k.json`, JSON.stringify(benchCatalog(10000)));
  const server = await serveStatic({ root: ROOT });
  const browser = await chromium.launch(LAUNCH);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/bench/page.html`);
    const r = await page.evaluate(() => window.benchIndexedDB());
    const cold = [];
    for (let i = 0; i < 7; i++) {
      const p = await browser.newPage();
      await p.goto(`${server.url}/bench/page.html`);
      cold.push(await p.evaluate(() => window.coldStart('/build/bench/catalog-10k.json')));
      await p.close();
    }
    cold.sort((a, b) => a - b);
    return [
      { what: 'IndexedDB save, full profile (Chromium)', value: r.save.toFixed(3), unit: 'ms', target: '<= 5 ms' },
      { what: 'IndexedDB load, full profile (Chromium)', value: r.load.toFixed(3), unit: 'ms', target: '<= 2 ms' },
      { what: 'cold start to first ranked list, 10k items (Chromium)', value: cold[3].toFixed(1), unit: 'ms', target: '<= 60 ms' },
    ];
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
}
