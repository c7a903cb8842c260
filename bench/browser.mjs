/**
 * Chromium measurements: IndexedDB save and load of a full profile through the real adapter,
 * and cold start to the first ranked list on a 10k-item catalog served as a packed catalog and
 * as JSON (each in a fresh page: wasm fetched and compiled, catalog fetched and loaded), and
 * where the packed cold start's time goes, phase by phase.
 */
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdirSync, statSync } from 'node:fs';
import { serveStatic } from '../scripts/serve.mjs';
import { LAUNCH } from '../tests/browser/harness.js';
import { benchCatalog } from './catalog.mjs';
import { packCatalog } from '../js/pack.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function browserBench() {
  mkdirSync(`${ROOT}build/bench`, { recursive: true });
  const catalog = benchCatalog(10000);
  writeFileSync(`${ROOT}build/bench/catalog-10k.json`, JSON.stringify(catalog));
  writeFileSync(`${ROOT}build/bench/catalog-10k.attc`, packCatalog(catalog));
  const server = await serveStatic({ root: ROOT });
  const browser = await chromium.launch(LAUNCH);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/bench/page.html`);
    const idb = await page.evaluate(() => window.benchIndexedDB());
    const cold = async (url) => {
      const runs = [];
      for (let i = 0; i < 9; i++) {
        const context = await browser.newContext(); /* nothing cached between runs */
        const p = await context.newPage();
        await p.goto(`${server.url}/bench/page.html`);
        runs.push(await p.evaluate((u) => window.coldStart(u), url));
        await context.close();
      }
      return runs.sort((a, b) => a - b)[4];
    };
    const phases = [];
    for (let i = 0; i < 9; i++) {
      const context = await browser.newContext();
      const p = await context.newPage();
      await p.goto(`${server.url}/bench/page.html`);
      phases.push(await p.evaluate((u) => window.coldPhases(u), '/build/bench/catalog-10k.attc'));
      await context.close();
    }
    const mid = (k) => phases.map((x) => x[k]).sort((a, b) => a - b)[4];
    return {
      coldPhases: { fetch: mid('fetch'), load: mid('load'), first: mid('first'), second: mid('second'),
        packedBytes: statSync(`${ROOT}build/bench/catalog-10k.attc`).size },
      idbSave: idb.save,
      idbLoad: idb.load,
      coldPacked: await cold('/build/bench/catalog-10k.attc'),
      coldJson: await cold('/build/bench/catalog-10k.json'),
    };
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
}
