#!/usr/bin/env node
/**
 * attune-pack: converts a catalog JSON file into the compact binary catalog ("ATTC"), which
 * loads many times faster (no JSON to parse on the device).  The result is validated by
 * loading it into an engine, so a file that packs is a file the engine accepts.
 *
 *   attune-pack catalog.json -o catalog.attc
 *   attune-pack - < catalog.json > catalog.attc
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createEngine, packCatalog } from '../js/node.js';

const usage = `usage: attune-pack <catalog.json | -> [-o <out.attc | ->]

Converts an Attune catalog (JSON) into the compact binary catalog.  Serve the .attc file and
pass its URL as the catalog option; it loads without parsing JSON on the device.`;

async function readInput(path) {
  if (path === '-') {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path, 'utf8');
}

async function main(argv) {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(usage);
    return 0;
  }
  const o = argv.indexOf('-o');
  const out = o >= 0 ? argv[o + 1] : null;
  const rest = argv.filter((_, i) => i !== o && i !== o + 1);
  if (rest.length !== 1 || (o >= 0 && !out)) {
    console.error(usage);
    return 2;
  }
  const text = await readInput(rest[0]);
  let catalog;
  try {
    catalog = JSON.parse(text);
  } catch {
    catalog = undefined;
  }
  const packed = catalog === undefined ? null : packCatalog(catalog);
  /* the engine is the judge: it reports exactly what is wrong with a catalog that did not pack,
     and validates the packed bytes as strictly as JSON */
  try {
    const engine = await createEngine({ catalog: packed ?? text, storage: 'memory' });
    const info = engine.catalogInfo;
    engine.close();
    if (!packed) throw new Error('the catalog loads but could not be packed');
    if (out && out !== '-') await writeFile(out, packed);
    else process.stdout.write(packed);
    console.error(`attune-pack: ${info.items} items, ${info.tags} tags, ${info.categories} categories, dim ${info.dim}; ` +
      `${(Buffer.byteLength(text) / 1024).toFixed(0)} KB JSON -> ${(packed.length / 1024).toFixed(0)} KB packed` +
      (info.droppedNeighbors ? `; ${info.droppedNeighbors} neighbors name unknown items and were dropped` : ''));
    return 0;
  } catch (err) {
    console.error(`attune-pack: ${err.code ? `${err.code}: ` : ''}${err.message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
