// The hand-written types compile a realistic usage example with strict TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
