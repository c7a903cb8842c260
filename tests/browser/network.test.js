// What leaves the device, watched from both ends: a page uses the whole API at every level
// (tests/browser/pages/network-workout.js) and sends the server label the way a site would.
// Every request is seen twice — by Playwright in the browser (page.on('request'), also
// beacons and images) and by the static server (method, path, body) — and must be either one
// of the library's own files, the page's files and catalog, or the label the page chose to
// send.  No personal datum the page gave the engine appears in any URL, body or header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, CSP } from './harness.js';

const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];
const LABELS = ['premium', 'starter', 'general'];
/* the personal data the page gives the engine (pages/network-workout.js PERSONAL), plus the
 * item ids it tracks: none of it may leave */
const MARKERS = ['platinum', 'nordland', 'spring-sale-2026', 'campaign', 'item-', 'evening', 'referrer', 'daypart'];

/* files a page may load: the page and its modules, the catalog, and the library itself */
const PAGE_FILES = {
  network: ['/tests/browser/pages/network.html', '/tests/browser/pages/network.js'],
  'network-script': ['/tests/browser/pages/network-script.html', '/tests/browser/pages/network-script.js', '/dist/attune.js'],
};
const SHARED_FILES = ['/tests/browser/pages/network-workout.js', '/tests/browser/pages/catalog.js', '/dist/attune.wasm', '/favicon.ico'];
const LIBRARY_MODULE = /^\/js\/[a-z-]+(\/[a-z-]+)*\.js$/; /* the ES module entry and its imports */

let env;
before(async () => { env = await start({ csp: CSP }); });
after(() => env.close());

/** Runs the workout on `kind` at `level`; returns what the page sent and both request logs. */
async function watch(kind, level) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen = [];
  const errors = [];
  const sockets = [];
  page.on('request', (r) => seen.push({ url: r.url(), method: r.method(), body: r.postData() ?? '', type: r.resourceType(), headers: r.headers() }));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    const at = m.location().url ?? '';
    /* the segment paths are the site's, and this static server has none: their 404 is expected */
    if (m.type() === 'error' && !at.includes('/segments/') && !at.endsWith('/favicon.ico')) errors.push(m.text());
  });
  const from = env.requests.length;
  await page.goto(env.url(`/tests/browser/pages/${kind}.html`));
  await page.waitForSelector('body[data-ready=yes]');
  const result = await page.evaluate((l) => window.N.run(l), level);
  const beacons = result.sent.filter((s) => s !== null).length;
  /* beacons are sent in the background: wait until the server has them all (the test's own
   * timeout bounds this; no timing is asserted) */
  while (env.requests.slice(from).filter((r) => r.method === 'POST').length < beacons) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await context.close();
  return { ...result, seen, served: env.requests.slice(from), pageErrors: errors, sockets };
}

for (const kind of ['network', 'network-script']) {
  for (const level of LEVELS) {
    test(`${kind === 'network' ? 'ES module' : '<script> include'} starting at ${level}: only the library's files, the page and its catalog, and the label the page sends go over the network`, async () => {
      const run = await watch(kind, level);
      assert.deepEqual(run.errors, [], 'the engine reported errors');
      assert.deepEqual(run.pageErrors, []);
      assert.deepEqual(run.sockets, [], 'no WebSocket is opened');

      /* the page's reports: null at none, a known label otherwise */
      /* 11 reports: at the start, after use, after import, after each of 7 level changes (the
       * 5th is to none), after forget (back to the config's level) */
      assert.equal(run.sent.length, 11);
      const nulls = run.sent.flatMap((s, i) => (s === null ? [i] : []));
      assert.deepEqual(nulls, level === 'none' ? [0, 1, 2, 7, 10] : [7], 'serverPayload() is null exactly at level none');
      for (const s of run.sent) assert.ok(s === null || LABELS.includes(s), `unexpected label ${s}`);
      const labels = run.sent.filter((s) => s !== null);

      /* the server's log: every request is allowed, and the label is all it carries */
      const allowed = new Set([...PAGE_FILES[kind], ...SHARED_FILES]);
      const segmentPaths = [];
      const beaconBodies = [];
      for (const r of run.served) {
        if (r.method === 'GET' && (allowed.has(r.path) || LIBRARY_MODULE.test(r.path))) {
          assert.equal(r.body, '', `${r.path} carries a body`);
          if (LIBRARY_MODULE.test(r.path)) assert.equal(kind, 'network', `the <script> build loaded the module ${r.path}`);
          continue;
        }
        const m = /^\/segments\/([^/?#]+)\.json$/.exec(r.path);
        if (r.method === 'GET' && m) {
          assert.equal(r.body, '');
          segmentPaths.push(decodeURIComponent(m[1]));
          continue;
        }
        if (r.method === 'POST' && r.path === '/segments/report') {
          beaconBodies.push(r.body);
          continue;
        }
        assert.fail(`unexpected request ${r.method} ${r.path} ${r.body.slice(0, 200)}`);
      }
      assert.deepEqual(segmentPaths, labels, 'the segment requests are exactly the labels the page sent, in order');
      assert.deepEqual(beaconBodies.sort(), labels.map((s) => JSON.stringify({ segment: s })).sort(),
        'each beacon body is exactly { segment }');
      assert.ok(run.served.some((r) => r.path === '/dist/attune.wasm'), 'set-up: the wasm came from the server');

      /* the browser's view: same origin only, the same requests the server saw, nothing personal */
      const origin = new URL(env.url('/')).origin;
      for (const r of run.seen) {
        const url = new URL(r.url);
        assert.equal(url.origin, origin, `a request left the origin: ${r.url}`);
        assert.equal(url.search, '', `a query string: ${r.url}`);
        assert.ok(!('cookie' in r.headers), `a cookie was sent with ${r.url}`);
        const custom = Object.keys(r.headers).filter((h) => h.startsWith('x-'));
        assert.deepEqual(custom, [], `custom headers on ${r.url}`);
        const text = `${decodeURIComponent(url.pathname)} ${r.body} ${JSON.stringify(r.headers)}`;
        for (const marker of MARKERS) assert.ok(!text.includes(marker), `"${marker}" left the device in ${r.method} ${r.url} ${r.body}`);
        if (r.body) assert.ok(labels.some((s) => r.body === JSON.stringify({ segment: s })), `unexpected body ${r.body}`);
      }
      for (const r of run.served) {
        for (const marker of MARKERS) assert.ok(!`${r.path} ${r.body}`.includes(marker), `"${marker}" reached the server: ${r.method} ${r.path}`);
      }
      const seenPaths = run.seen.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith('/segments/'));
      assert.equal(seenPaths.length, segmentPaths.length + beaconBodies.length, 'the browser and the server saw the same reports');
      const images = run.seen.filter((r) => r.type === 'image');
      assert.deepEqual(images.map((r) => r.url), [], 'no images (tracking pixels) are loaded');
    });
  }
}
