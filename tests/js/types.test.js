// The hand-written types compile a realistic usage example with strict TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('index.d.ts types a realistic usage example under strict TypeScript', () => {
  let out = '';
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ['-p', 'tests/types/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  } catch (err) {
    out = `${err.stdout}${err.stderr}`;
  }
  assert.equal(out, '');
});

test('every export of js/index.js and js/node.js is declared in index.d.ts', async () => {
  const dts = readFileSync(`${root}js/index.d.ts`, 'utf8');
  const declared = new Set([...dts.matchAll(/^export (?:function|class|const) (\w+)/gm)].map((m) => m[1]));
  for (const entry of ['js/index.js', 'js/node.js']) {
    const exported = Object.keys(await import(new URL(entry, `file://${root}`).href));
    assert.deepEqual(exported.filter((name) => !declared.has(name)), [], `${entry} exports what index.d.ts does not declare`);
  }
});
