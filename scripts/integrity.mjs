#!/usr/bin/env node
// Prints the SRI (sha384) values of the given files as JSON: { "attune.js": "sha384-…", … }.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const out = {};
for (const file of process.argv.slice(2)) {
  out[basename(file)] = `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
}
console.log(JSON.stringify(out, null, 2));
