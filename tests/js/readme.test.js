// The README's npm quick start runs as written (with 'attune' resolved to this checkout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README npm quick start runs as written', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('### npm'));
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  const runnable = code.replace("from 'attune'", `from '${new URL('js/node.js', `file://${root}`).href}'`);
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', runnable], { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 5, out);
  assert.match(lines[0], /^a\d - \S/);
  assert.ok(!out.includes('a2 -'), 'the clicked item is not recommended again');
  assert.match(out, /\{ segment: '(pro|general)' \}/, 'the label is randomised: 97.5 % pro');
});
