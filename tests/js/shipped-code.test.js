// What the package ships: no code built from strings (the library runs under a CSP without
// 'unsafe-eval'), and nothing beyond the library, its wasm, its tools and its README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path) => readFile(ROOT + path, 'utf8');

/** Code made from strings, however it is spelled.  Identifier boundaries keep "evaluate",
 *  "retrieval(", "isFunction(" and 'wasm-unsafe-eval' out. */
const FORBIDDEN = [
  ['eval(', /(?<![\w$])eval\s*\(/],
  ['indirect eval', /\(\s*0\s*,\s*eval\s*\)/],
  ['new Function', /(?<![\w$])new\s+Function(?![\w$])/],
  ['Function(', /(?<![\w$])Function\s*\(/],
  ['a string handed to setTimeout/setInterval', /(?<![\w$])set(?:Timeout|Interval)\s*\(\s*['"`]/],
  ['.constructor(<string>)', /\.constructor\s*\(\s*['"`]/],
];

function offences(text) {
  const found = [];
  for (const [what, re] of FORBIDDEN) {
    const g = new RegExp(re.source, 'g');
    for (const m of text.matchAll(g)) {
      const line = text.slice(0, m.index).split('\n').length;
      found.push(`${what} at line ${line}: ${text.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\s+/g, ' ')}`);
    }
  }
  return found;
}

async function jsFiles(dir) {
  return (await readdir(ROOT + dir)).filter((f) => f.endsWith('.js')).map((f) => `${dir}/${f}`);
}

test('the patterns catch eval and Function in every spelling and nothing that merely looks like them', () => {
  for (const bad of ['eval(x)', 'window.eval (x)', '(0, eval)(x)', 'new Function("a", "return a")', 'new Function',
    'Function("return this")()', 'globalThis.Function(src)', "setTimeout('go()', 1)", '(function(){}).constructor("x")']) {
    assert.ok(offences(bad).length > 0, `not caught: ${bad}`);
  }
  for (const fine of ['evaluate(x)', 'page.evaluate(() => 1)', 'retrieval(x)', 'medieval (x)', "'wasm-unsafe-eval'",
    'isFunction(x)', "typeof f === 'function'", 'myFunction(x)', 'setTimeout(() => go(), 1)', 'x instanceof Function',
    'x.constructor === Object']) {
    assert.deepEqual(offences(fine), [], `false positive: ${fine}`);
  }
});

test('no eval, new Function or Function() in the shipped library: js/, js/storage/ and dist/attune.js', async () => {
  const files = [...await jsFiles('js'), ...await jsFiles('js/storage'), 'dist/attune.js'];
  assert.ok(files.includes('js/engine.js') && files.includes('js/storage/indexeddb.js'), 'the library sources were not found');
  const report = [];
  for (const f of files) {
    const text = await read(f);
    assert.ok(text.length > 0, `${f} is empty`);
    for (const o of offences(text)) report.push(`${f}: ${o}`);
  }
  assert.deepEqual(report, []);
});

const ALLOWED = ['js/', 'dist/', 'bin/', 'tools/eval/', 'scripts/gen-catalog.mjs', 'README.md'];
const allowed = (path) => ALLOWED.some((a) => (a.endsWith('/') ? path.startsWith(a) : path === a));

test('package.json "files" lists only js/, dist/, bin/, tools/eval/, scripts/gen-catalog.mjs and README.md', async () => {
  const pkg = JSON.parse(await read('package.json'));
  assert.ok(Array.isArray(pkg.files) && pkg.files.length > 0, 'package.json has no "files" list: npm would ship everything');
  for (const entry of pkg.files) {
    assert.ok(!/[*?{}[\]!]/.test(entry), `"files" entry ${entry} is a pattern; list paths`);
    assert.ok(allowed(entry.replace(/^\.\//, '')), `"files" ships ${entry}`);
  }
});

test('what npm would pack is only those paths, and none of its JavaScript builds code from strings', async (t) => {
  let out;
  try {
    ({ stdout: out } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: ROOT, maxBuffer: 16 << 20 }));
  } catch (err) {
    if (err.code === 'ENOENT') {
      t.skip('npm is not installed');
      return;
    }
    throw err;
  }
  const paths = JSON.parse(out)[0].files.map((f) => f.path);
  assert.ok(paths.includes('js/engine.js') && paths.includes('dist/attune.wasm') && paths.includes('dist/attune.js'));
  /* npm adds package.json (and a LICENSE, if there is one) to every package */
  const extra = paths.filter((p) => !allowed(p) && p !== 'package.json' && !/^(LICENSE|LICENCE)(\.\w+)?$/i.test(p));
  assert.deepEqual(extra, [], 'the package ships files outside the allowed paths');
  const report = [];
  for (const p of paths.filter((f) => /\.(m?js|cjs)$/.test(f))) {
    for (const o of offences(await read(p))) report.push(`${p}: ${o}`);
  }
  assert.deepEqual(report, []);
});
