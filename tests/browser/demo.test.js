// The static-site demo (build/site, assembled by `make site`) in Chromium, served by the plain
// static server under the strict Content-Security-Policy: the front page ranks without console
// errors, clicks change the rail and survive a reload, "Not interested" and "Why this?" work,
// the request log and the server's own log hold nothing but the segment label, lowering the
// level to segment empties the history in the inventory table and in IndexedDB, and forget
// leaves nothing stored.  Screenshots of the pages go to build/screenshots/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, CSP, ROOT } from './harness.js';

const SITE = join(ROOT, 'build/site');
const SHOTS = join(ROOT, 'build/screenshots');
const DESKTOP = { width: 1366, height: 900 };
const MOBILE = { width: 390, height: 844 };

let env;
let LABELS;

before(async () => {
  /* `make test` builds the site first; run on its own, this brings it up to date */
  try {
    execFileSync('make', ['-s', 'site'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    if (!existsSync(join(SITE, '.stamp'))) throw new Error(`make site failed:\n${err.stderr ?? err.message}`);
    console.log(`# make site failed; testing the site already in build/site\n# ${String(err.stderr).split('\n')[0]}`);
  }
  mkdirSync(SHOTS, { recursive: true });
  ({ LABELS } = await import(join(SITE, 'js/config.js')));
  env = await start({ root: SITE, csp: CSP });
});
after(() => env?.close());

const page = (context, path) => env.ready(context, path);

const railIds = (p) => p.$$eval('#rail > li', (els) => els.map((e) => e.dataset.id));

/** Reads the stored profile straight from IndexedDB ("attune" / "profiles") and decodes it. */
function stored(p) {
  return p.evaluate(async () => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === 'attune')) return { records: 0, pending: 0, profile: null };
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open('attune');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const all = (store) => new Promise((ok, fail) => {
      if (!db.objectStoreNames.contains(store)) return ok([]);
      const req = db.transaction(store, 'readonly').objectStore(store).getAll();
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const records = await all('profiles');
    const pending = await all('pending');
    db.close();
    const rec = records.find((r) => r.id === 'default');
    if (!rec) return { records: records.length, pending: pending.length, profile: null };
    /* decode the snapshot with the engine itself, in memory */
    const lib = window.Attune ?? await import('/attune/js/index.js');
    const { CONFIG } = await import('/js/config.js');
    const storage = new lib.MemoryStorage();
    await storage.save('x', new Uint8Array(rec.bytes));
    const catalog = await (await fetch('/catalog.json')).text();
    const e = await lib.createEngine({ catalog, config: CONFIG, storage, profileId: 'x' });
    const profile = await e.export();
    e.close();
    return { records: records.length, pending: pending.length, profile };
  });
}

/** The inventory table's rows on the privacy page: { key: count }. */
const inventory = (p) => p.$$eval('#inventory tbody tr', (rows) =>
  Object.fromEntries(rows.map((r) => [r.dataset.key, Number(r.querySelector('td.num').textContent)])));

/** Every button of the article's compact "More for you" cards lies inside its card. */
async function compactCardsFit(p) {
  const out = await p.$$eval('#more > li', (cards) => cards.flatMap((li) => {
    const c = li.getBoundingClientRect();
    return [...li.querySelectorAll('.card-actions button:not(.ni-menu button)')].filter((b) => {
      const r = b.getBoundingClientRect();
      return r.left < c.left || r.right > c.right;
    }).map((b) => `${li.dataset.id}: ${b.textContent}`);
  }));
  assert.deepEqual(out, [], 'no button sticks out of its card');
}

/** Clicks a link that navigates (the demo records the click first) and waits for the next page. */
async function follow(p, locator) {
  await Promise.all([p.waitForURL(/article\.html\?id=/), locator.click()]);
  await p.waitForSelector('body[data-ready=yes]');
}

test('the front page renders the For-you rail and the sections, without console errors', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['mobile', MOBILE]]) {
    const context = await env.browser.newContext({ viewport });
    const p = await page(context, '/index.html');
    const ids = await railIds(p);
    assert.equal(ids.length, 8, 'eight recommendations');
    assert.equal(new Set(ids).size, 8);
    assert.equal(await p.locator('#rail .why-button').count(), 8, 'every recommendation has "Why this?"');
    assert.equal(await p.locator('#rail .ni-button').count(), 8, 'every recommendation has "Not interested"');
    assert.equal(await p.locator('#sections section.section').count(), 7, 'a section per category');
    /* the note says which segment the device is in and what the site was told; which of the
       three notes (true label, k-gated, randomised) depends on this profile's random draw */
    assert.match(await p.textContent('#picks'), /Your device is in the “[a-z-]+” segment/);
    assert.equal(await p.getAttribute('#rail', 'data-level'), 'behavioral');
    await p.screenshot({ path: join(SHOTS, `home-${name}.png`), fullPage: name === 'mobile' ? false : true });
    if (name === 'desktop') await p.screenshot({ path: join(SHOTS, 'home-desktop-top.png') });
    assert.deepEqual(p.errors, []);
    await context.close();
  }
});

test('What the server sees: the page, and the server, get the segment label and nothing else', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const from = env.requests.length;
  const p = await page(context, '/index.html');
  await p.waitForSelector('#request-log .log-entry[data-path^="/segments/"] .status.ok');
  const logged = (sel) => p.$$eval(sel, (els) => els.map((e) => ({
    path: e.dataset.path, carries: e.querySelector('.log-carries code.payload')?.textContent ?? null,
    text: e.textContent,
  })));
  /* the page's fetches: the story list, the engine and the picks for its label */
  const entries = await logged('#request-log .log-fetches > .log-entry');
  assert.deepEqual(entries.map((e) => e.path).sort(), ['/attune/dist/attune.wasm', '/catalog.json', entries.find((e) => e.path.startsWith('/segments/')).path].sort());
  const carrying = entries.filter((e) => e.carries);
  assert.equal(carrying.length, 1, 'one request carries anything about the visitor');
  const payload = JSON.parse(carrying[0].carries);
  assert.deepEqual(Object.keys(payload), ['segment']);
  assert.ok(LABELS.includes(payload.segment), `${payload.segment} is a configured label`);
  assert.equal(carrying[0].path, `/segments/${payload.segment}.json`);
  assert.match(await p.textContent('#request-log .log-summary'), new RegExp(`\\{"segment":"${payload.segment}"\\}`));
  /* the browser's own requests for the page's files are listed too, each carrying nothing */
  const files = await logged('#request-log .log-files .log-entry');
  for (const path of ['/index.html', '/style.css', '/js/home.js', '/attune/js/index.js']) {
    assert.ok(files.some((e) => e.path === path), `${path} is in the log`);
  }
  for (const e of files) assert.match(e.text, /carries nothing about you/, `${e.path} carries nothing`);
  /* the server's own log: static GETs without bodies; the only per-visitor path is the label's file */
  const seen = env.requests.slice(from);
  for (const r of seen) {
    assert.equal(r.method, 'GET', `${r.path} is a GET`);
    assert.equal(r.body, '', `${r.path} has no body`);
    assert.ok(!r.path.includes('?'), `${r.path} has no query string`);
  }
  const variable = seen.filter((r) => r.path.startsWith('/segments/'));
  assert.deepEqual(variable.map((r) => r.path), [`/segments/${payload.segment}.json`]);
  /* "every request this page made": each request the server saw is in the page's log, and
     the log lists nothing the server did not see */
  await p.waitForFunction((paths) => paths.every((path) =>
    [...document.querySelectorAll('#request-log .log-entry')].some((e) => e.dataset.path === path)),
  [...new Set(seen.map((r) => r.path))]);
  const all = await p.$$eval('#request-log .log-entry', (els) => els.map((e) => e.dataset.path));
  const served = env.requests.slice(from).map((r) => r.path);
  for (const path of all) assert.ok(served.includes(path), `${path} reached the server`);

  /* a new reader type can change the label: the summary lists every label sent, not the last */
  await p.getByText('Explain it to me').click();
  await p.waitForFunction(() => /Your device is in the “learners” segment/.test(document.querySelector('#picks')?.textContent));
  await p.getByText('The deep read').click();
  await p.waitForFunction(() => /Your device is in the “analysts” segment/.test(document.querySelector('#picks')?.textContent));
  const sent = [...new Set((await logged('#request-log .log-fetches > .log-entry')).map((e) => e.carries).filter(Boolean))];
  const summary = await p.$$eval('#request-log .log-summary code.payload', (els) => els.map((e) => e.textContent));
  assert.deepEqual(summary.sort(), sent.sort(), 'the summary names every label sent');
  assert.ok(sent.length >= 2, `several labels were sent: ${sent}`);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('"Why this?" shows explain(): contributions with weights and reasons that add up to the score', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const p = await page(context, '/index.html');
  const button = p.locator('#rail .why-button').first();
  await button.click();
  const dialog = p.locator('dialog.why-dialog[open]');
  await dialog.waitFor();
  const rows = await dialog.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    weight: Number(tr.querySelector('td.num').textContent.replace('−', '-')),
    reason: tr.lastElementChild.textContent,
  })));
  assert.ok(rows.length >= 2, 'several contributions');
  for (const r of rows) assert.ok(r.reason.length > 0, 'each has a reason');
  const score = Number((await dialog.locator('caption').textContent()).match(/Score (-?[\d.]+)/)[1]);
  const sum = rows.reduce((s, r) => s + r.weight, 0);
  assert.ok(Math.abs(sum - score) < 0.01, `contributions ${sum} add up to the score ${score}`);
  await p.screenshot({ path: join(SHOTS, 'why-this-desktop.png') });
  await p.keyboard.press('Escape');
  await p.locator('dialog.why-dialog[open]').waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await p.locator('dialog.why-dialog[open]').count(), 0);
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'focus returns to the button');
  assert.deepEqual(p.errors, []);
  await context.close();

  /* on a phone the bars go: the header loses that column too, and the table fits the dialog */
  const phone = await env.browser.newContext({ viewport: MOBILE });
  const m = await page(phone, '/index.html');
  await m.locator('#rail .why-button').first().click();
  await m.locator('dialog.why-dialog[open]').waitFor();
  const layout = await m.$eval('dialog.why-dialog table', (t) => {
    const lefts = (row) => [...row.cells].filter((c) => getComputedStyle(c).display !== 'none').map((c) => Math.round(c.getBoundingClientRect().left));
    return { head: lefts(t.tHead.rows[0]), rows: [...t.tBodies[0].rows].map(lefts), overflow: t.parentElement.scrollWidth - t.parentElement.clientWidth };
  });
  assert.equal(layout.head.length, 3, 'signal, weight, reason');
  for (const row of layout.rows) assert.deepEqual(row, layout.head, 'each cell sits under its header');
  assert.equal(layout.overflow, 0, 'no sideways scrolling');
  await m.screenshot({ path: join(SHOTS, 'why-this-mobile.png') });
  assert.deepEqual(m.errors, []);
  await phone.close();
});

test('a click from the rail changes it, the article records the view, and a reload keeps the profile', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const p = await page(context, '/index.html');
  const before = await railIds(p);
  const title = await p.locator('#rail .card-link').first().textContent();
  await follow(p, p.locator('#rail .card-link').first());
  assert.equal(await p.locator('h1.article-title').textContent(), title);
  await compactCardsFit(p);
  await p.screenshot({ path: join(SHOTS, 'article-desktop.png') });
  assert.deepEqual(p.errors, []);

  const home = await page(context, '/index.html');
  const after = await railIds(home);
  assert.ok(!after.includes(before[0]), 'the story read is not recommended again');
  assert.notDeepEqual(after, before, 'the rail changed');
  await home.reload();
  await home.waitForSelector('body[data-ready=yes]');
  assert.deepEqual(await railIds(home), after, 'the profile survived the reload');

  const { profile } = await stored(home);
  const events = profile.history.filter((e) => e.item === before[0]).map((e) => e.type).sort();
  assert.deepEqual(events, ['click', 'view'], 'the click and the view are in IndexedDB');

  const privacy = await page(context, '/privacy.html');
  const inv = await inventory(privacy);
  assert.ok(inv.history >= 2, 'the inventory lists the interactions');
  const behavioral = await privacy.$$eval('#metrics tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  const row = behavioral.find((r) => r[0].startsWith('Behavioral'));
  assert.ok(Number(row[1]) >= 16, 'impressions were logged for both front-page views');
  assert.equal(Number(row[2]), 1, 'one click');
  assert.deepEqual([...p.errors, ...home.errors, ...privacy.errors], []);
  await context.close();
});

test('reading a story in the sensitive category is not kept', async () => {
  const catalog = JSON.parse(readFileSync(join(SITE, 'catalog.json'), 'utf8'));
  const health = catalog.items.find((it) => it.category === 'health');
  const other = catalog.items.find((it) => it.category === 'science');
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const p = await page(context, `/article.html?id=${health.id}`);
  assert.match(await p.textContent('.sensitive'), /does not learn/);
  const q = await page(context, `/article.html?id=${other.id}`);
  assert.equal(await q.locator('.sensitive').count(), 0);
  await q.evaluate(() => new Promise((r) => setTimeout(r, 400))); /* the debounced save */
  const { profile } = await stored(q);
  assert.deepEqual(profile.history.map((e) => e.item), [other.id], 'only the other story is in the history');
  assert.deepEqual([...p.errors, ...q.errors], []);
  await context.close();
});

test('"Not interested" hides a story and a tag, by mouse and by keyboard', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const p = await page(context, '/index.html');
  const first = (await railIds(p))[0];
  await p.locator('#rail .ni-button').first().click();
  await p.getByRole('button', { name: 'Hide this story' }).click();
  await p.waitForFunction((id) => !document.querySelector(`#rail > li[data-id="${id}"]`), first);
  assert.match(await p.textContent('#toast'), /hidden/);

  /* keyboard: open the second card's menu, move to the first tag, choose it */
  const card = p.locator('#rail > li').nth(1);
  const tag = await card.evaluate((li) => li.querySelectorAll('.ni-menu button')[1].dataset.tag);
  await card.locator('.ni-button').focus();
  await p.keyboard.press('Enter');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.querySelector('#toast')?.textContent.includes('Fewer stories about'));
  const catalog = JSON.parse(readFileSync(join(SITE, 'catalog.json'), 'utf8'));
  const byId = new Map(catalog.items.map((it) => [it.id, it]));
  for (const id of await railIds(p)) {
    assert.notEqual(id, first);
    assert.ok(!byId.get(id).tags.includes(tag), `${id} does not carry #${tag}`);
  }
  const privacy = await page(context, '/privacy.html');
  const chips = await privacy.$$eval('.blocked-chip', (els) => els.map((e) => e.firstChild.textContent));
  assert.equal(chips.length, 2, `blocked list: ${chips}`);
  assert.ok(chips.includes(byId.get(first).title), `blocked list: ${chips}`);
  assert.deepEqual([...p.errors, ...privacy.errors], []);
  await context.close();
});

/**
 * Opens the "Not interested" menu of the card `card()` returns and clicks menu item `i` the way
 * a visitor does: a real mouse click (or a tap) at the centre of where the item is drawn, with
 * no scrolling or forcing by the test tool, so a neighbouring card drawn over the menu would
 * take the click.  Returns the item's text.
 */
async function chooseFromMenu(p, card, i, touch) {
  const press = async (locator) => {
    /* the last choice's toast lies over the bottom of the page for a few seconds: let it go */
    await p.evaluate(() => document.querySelector('#toast')?.classList.remove('show'));
    await p.waitForFunction(() => !document.querySelector('#toast') || getComputedStyle(document.querySelector('#toast')).visibility === 'hidden');
    await locator.evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
    const box = await locator.boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const hit = await p.evaluate(([px, py]) => {
      const el = document.elementFromPoint(px, py);
      return el?.closest('button')?.textContent ?? `${el?.tagName}.${el?.className} in ${el?.closest('li.card')?.dataset.id}`;
    }, [x, y]);
    assert.equal(hit, await locator.textContent(), 'what is drawn at the centre of the button is the button');
    if (touch) await p.touchscreen.tap(x, y);
    else await p.mouse.click(x, y);
  };
  await press(card().locator('.ni-button'));
  const item = card().locator('.ni-menu button').nth(i);
  await item.waitFor();
  const text = await item.textContent();
  await p.evaluate(() => document.querySelector('#toast')?.replaceChildren());
  await press(item);
  return text;
}

test('every "Not interested" menu item takes a click at its centre, on the rail and on compact cards', async () => {
  const catalog = JSON.parse(readFileSync(join(SITE, 'catalog.json'), 'utf8'));
  const byId = new Map(catalog.items.map((it) => [it.id, it]));
  const cases = [
    /* desktop: the second card's menu hangs over the card below it; phone: over the next card */
    { name: 'desktop', viewport: DESKTOP, path: '/index.html', list: '#rail', nth: 1 },
    { name: 'phone', viewport: MOBILE, path: '/index.html', list: '#rail', nth: 1, touch: true },
    { name: 'article', viewport: DESKTOP, path: `/article.html?id=${catalog.items[0].id}`, list: '#more', nth: 0 },
  ];
  for (const c of cases) {
    const context = await env.browser.newContext({ viewport: c.viewport, hasTouch: !!c.touch, isMobile: !!c.touch });
    const p = await page(context, c.path);
    const url = p.url();
    const card = () => p.locator(`${c.list} > li`).nth(c.nth);
    const items = await card().locator('.ni-menu button').count();
    assert.ok(items >= 2, `${c.name}: "Hide this story" and at least one tag`);
    for (let i = 0; i < items; i++) {
      const id = await card().getAttribute('data-id');
      const buttons = await card().locator('.ni-menu button').evaluateAll((bs) => bs.map((b) => b.dataset.tag ?? null));
      const k = Math.min(i, buttons.length - 1);
      const text = await chooseFromMenu(p, card, k, c.touch);
      const tag = buttons[k];
      const toast = tag ? text : `“${byId.get(id).title}”`;
      await p.waitForFunction((t) => document.querySelector('#toast')?.textContent.includes(t), toast, { timeout: 5000 })
        .catch(() => assert.fail(`${c.name}: choosing "${text}" did not block (toast: ${JSON.stringify(toast)})`));
      assert.equal(p.url(), url, `${c.name}: "${text}" opened no story`);
      await p.waitForFunction(({ list, id, tag }) => [...document.querySelectorAll(`${list} > li`)].every((li) =>
        li.dataset.id !== id || !!tag), { list: c.list, id, tag });
      for (const left of await p.$$eval(`${c.list} > li`, (els) => els.map((e) => e.dataset.id))) {
        if (tag) assert.ok(!byId.get(left).tags.includes(tag), `${c.name}: ${left} does not carry #${tag}`);
        else assert.notEqual(left, id, `${c.name}: the hidden story is gone`);
      }
    }
    await p.evaluate(() => new Promise((r) => setTimeout(r, 400))); /* the debounced save */
    const { profile } = await stored(p);
    const kept = profile.history.filter((e) => e.type === 'click');
    assert.deepEqual(kept, [], `${c.name}: no click was recorded`);
    assert.equal(profile.blocked.tags.length + profile.blocked.items.length, items, `${c.name}: one block per menu item chosen`);
    await p.screenshot({ path: join(SHOTS, `not-interested-${c.name}.png`) });
    assert.deepEqual(p.errors, []);
    await context.close();
  }
});

test('switching to segment empties the history in the inventory table and in IndexedDB', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const home = await page(context, '/index.html');
  /* pick a reader type (a trait the segment level keeps), then read two stories */
  await home.getByText('Explain it to me').click();
  /* the device's own segment; the label the site is sent may be this epoch's random answer */
  await home.waitForFunction(() => /Your device is in the “learners” segment/.test(document.querySelector('#picks')?.textContent));
  for (let i = 0; i < 2; i++) {
    await follow(home, home.locator('#rail .card-link').first());
    await home.goto(env.url('/index.html'));
    await home.waitForSelector('body[data-ready=yes]');
  }
  await home.screenshot({ path: join(SHOTS, 'home-desktop-personalised.png') });
  const p = await page(context, '/privacy.html');
  await p.screenshot({ path: join(SHOTS, 'privacy-desktop.png'), fullPage: true });
  assert.ok((await inventory(p)).history >= 4, 'history before');
  assert.ok((await stored(p)).profile.history.length >= 4, 'history in IndexedDB before');
  /* privacyReport().label.disclosures counts randomised answers (one per period and segment) */
  assert.match(await p.textContent('#label-explainer'), /ε = [\d.]+ per answer; [1-9]\d* randomised answers? so far, ε = [\d.]+ in total/);

  /* the arrow keys move through the levels without applying them: a downgrade asks first */
  await p.focus('#level-behavioral');
  await p.keyboard.press('ArrowLeft');
  assert.equal(await p.isChecked('#level-segment'), true);
  await p.locator('#level-confirm').waitFor();
  assert.match(await p.textContent('#level-confirm'), /deletes at once[\s\S]*interactions/);
  assert.ok((await inventory(p)).history >= 4, 'nothing deleted before confirming');
  await p.screenshot({ path: join(SHOTS, 'privacy-confirm-desktop.png') });
  await p.click('#level-apply');
  await p.waitForFunction(() => !document.querySelector('#inventory tr[data-key="history"]'));
  const inv = await inventory(p);
  assert.equal(inv.history, undefined, 'no history row at level segment');
  assert.equal(inv.traits, 1, 'the reader type is kept');
  const { profile } = await stored(p);
  assert.equal(profile.level, 'segment');
  assert.deepEqual(profile.history, [], 'IndexedDB holds no history');
  assert.deepEqual(profile.dismissed ?? [], []);
  assert.equal(await p.isChecked('#level-segment'), true);

  /* the choice holds on the next visit, and the front page says so */
  const again = await page(context, '/index.html');
  assert.equal(await again.getAttribute('#rail', 'data-level'), 'segment');
  assert.match(await again.textContent('#foryou-context'), /reader type/);
  assert.deepEqual([...home.errors, ...p.errors, ...again.errors], []);
  await context.close();

  const mobile = await env.browser.newContext({ viewport: MOBILE });
  const m = await page(mobile, '/index.html');
  await follow(m, m.locator('#rail .card-link').first());
  await compactCardsFit(m);
  await m.screenshot({ path: join(SHOTS, 'article-mobile.png') });
  const mp = await page(mobile, '/privacy.html');
  await mp.screenshot({ path: join(SHOTS, 'privacy-mobile.png'), fullPage: true });
  await mp.screenshot({ path: join(SHOTS, 'privacy-mobile-top.png') });
  assert.deepEqual(mp.errors, []);
  await mobile.close();
});

test('forget leaves nothing stored; level Off stores nothing, sends nothing and is remembered', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const home = await page(context, '/index.html');
  await follow(home, home.locator('#rail .card-link').first());
  const p = await page(context, '/privacy.html');
  assert.ok((await stored(p)).records === 1, 'a stored profile before');

  await p.click('#forget');
  await p.locator('#forget-dialog[open]').waitFor();
  await p.click('#forget-confirm');
  await p.waitForFunction(() => document.querySelector('#toast')?.textContent.includes('Nothing about you'));
  const after = await stored(p);
  assert.equal(after.records, 0, 'no profile record in IndexedDB');
  assert.equal(after.pending, 0, 'nothing pending in IndexedDB');
  assert.equal(await p.evaluate(() => localStorage.length + sessionStorage.length), 0, 'nothing in Web Storage');
  const inv = await inventory(p);
  for (const [key, count] of Object.entries(inv)) if (key !== 'level') assert.equal(count, 0, `${key} is empty`);
  await p.reload();
  await p.waitForSelector('body[data-ready=yes]');
  assert.equal((await stored(p)).records, 0, 'opening the privacy panel writes nothing');

  /* Off: the record goes, only the choice is remembered (by the site), nothing is sent */
  await p.locator('label[for="level-none"]').click();
  await p.click('#level-apply');
  await p.waitForFunction(() => document.querySelector('#inventory-box .empty'));
  const off = await page(context, '/index.html');
  assert.equal(await off.getAttribute('#rail', 'data-level'), 'none');
  assert.equal(await off.locator('#rail > li').count(), 8, 'still a front page');
  assert.equal(await off.locator('#request-log .log-carries code.payload').count(), 0, 'no request carries anything');
  assert.match(await off.textContent('#request-log .log-summary'), /sent nothing/);
  await follow(off, off.locator('#rail .card-link').first());
  const check = await page(context, '/privacy.html');
  assert.equal((await stored(check)).records, 0, 'level Off wrote nothing');
  assert.equal(await check.isChecked('#level-none'), true, 'the choice survived');
  assert.deepEqual(await check.evaluate(() => Object.keys(localStorage)), ['meridian.personalisation']);
  assert.deepEqual([...home.errors, ...p.errors, ...off.errors, ...check.errors], []);
  await context.close();
});

test('export downloads the profile and import restores it', async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const home = await page(context, '/index.html');
  const read = (await railIds(home))[0];
  await follow(home, home.locator('#rail .card-link').first());
  const p = await page(context, '/privacy.html');
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('#export')]);
  const file = await download.path();
  const data = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(data.format, 'attune-profile');
  assert.ok(data.history.some((e) => e.item === read));

  await p.click('#forget');
  await p.click('#forget-confirm');
  await p.waitForFunction(() => !document.querySelector('#inventory tr[data-key="history"] td.num')?.textContent.match(/[1-9]/));
  await p.setInputFiles('#import-file', file);
  await p.waitForFunction(() => Number(document.querySelector('#inventory tr[data-key="history"] td.num')?.textContent) > 0);
  const { profile } = await stored(p);
  assert.ok(profile.history.some((e) => e.item === read), 'the import reached IndexedDB');

  /* refused files: the visitor is told what the file is in plain words, the engine's detail second */
  const refused = async (name, text, says) => {
    await p.evaluate(() => document.querySelector('#toast')?.replaceChildren());
    await p.setInputFiles('#import-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
    await p.waitForFunction(() => document.querySelector('#toast')?.textContent.includes('Nothing was imported'));
    const main = await p.textContent('#toast .toast-text > span:first-child');
    assert.match(main, says, `${name}: ${main}`);
    assert.ok((await p.textContent('#toast .toast-detail')).length > 0, `${name}: the detail comes second`);
    assert.ok((await stored(p)).profile.history.some((e) => e.item === read), `${name}: a refused import changes nothing`);
  };
  await refused('newer.json', '{"format":"attune-profile","version":99}', /newer version of Attune/);
  await refused('notes.json', '{"hello":"world"}', /is not an Attune export/);
  await refused('notes.txt', 'not json at all', /is not an Attune export/);
  await refused('damaged.json', JSON.stringify({ ...data, history: 'lost' }), /is not an Attune export, or it is damaged/);

  /* import after choosing Off (remembered by the site across a reload): the file's level comes
     with it, the profile is kept, and the site forgets "Off" */
  await p.locator('label[for="level-none"]').click();
  await p.click('#level-apply');
  await p.waitForFunction(() => document.querySelector('#inventory-box .empty'));
  await p.reload();
  await p.waitForSelector('body[data-ready=yes]');
  assert.equal(await p.isChecked('#level-none'), true, 'Off is remembered');
  assert.equal((await stored(p)).records, 0, 'nothing stored at Off');
  await p.setInputFiles('#import-file', file);
  await p.waitForFunction(() => document.querySelector('#toast')?.textContent.includes('Imported'));
  assert.match(await p.textContent('#toast'), /Personalisation is Behavioral/);
  assert.equal(await p.isChecked('#level-behavioral'), true, 'the level control shows the file\'s level');
  assert.ok((await inventory(p)).history > 0, 'the inventory lists the imported history');
  assert.equal(await p.locator('#traits-box input[disabled]').count(), 0, 'the reader-type controls work again');
  assert.deepEqual(await p.evaluate(() => Object.keys(localStorage)), [], 'the site no longer remembers Off');
  await p.reload();
  await p.waitForSelector('body[data-ready=yes]');
  assert.equal(await p.isChecked('#level-behavioral'), true, 'the level holds after a reload');
  const kept = await stored(p);
  assert.equal(kept.profile.level, 'behavioral');
  assert.ok(kept.profile.history.some((e) => e.item === read), 'the imported history is in IndexedDB');
  assert.deepEqual([...home.errors, ...p.errors], []);
  await context.close();
});

test('the privacy panel uses the <script> include (with SRI) and the other pages the ES module build', async () => {
  const html = readFileSync(join(SITE, 'privacy.html'), 'utf8');
  assert.match(html, /<script src="attune\/dist\/attune\.js" integrity="sha384-[A-Za-z0-9+/=]{64}" crossorigin="anonymous"><\/script>/);
  for (const name of ['index.html', 'article.html', 'privacy.html']) {
    const text = readFileSync(join(SITE, name), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(text), `${name} has no inline script`);
    assert.ok(!/\son[a-z]+=/.test(text), `${name} has no inline event handler`);
  }
  const context = await env.browser.newContext({ viewport: DESKTOP });
  const p = await page(context, '/privacy.html');
  assert.equal(await p.evaluate(() => typeof window.Attune?.createEngine), 'function');
  assert.equal(await p.locator('fieldset.levels input[type=radio]').count(), 5);
  /* each level says what it keeps in the engine's own words (privacyReport().storedByLevel) */
  const byLevel = await p.evaluate(async () => {
    const { CONFIG } = await import('/js/config.js');
    const catalog = await (await fetch('/catalog.json')).text();
    const e = await window.Attune.createEngine({ catalog, config: CONFIG, storage: new window.Attune.MemoryStorage() });
    const report = e.privacyReport();
    e.close();
    return report.storedByLevel;
  });
  assert.equal(byLevel.length, 5);
  for (const { level, keeps } of byLevel) {
    const text = await p.textContent(`#level-${level}-keeps`);
    assert.ok(text.includes(keeps.replace(/^\+ /, '')), `${level}: "${text}" says what the engine reports: "${keeps}"`);
    assert.equal(await p.getAttribute(`#level-${level}`, 'aria-describedby'), `level-${level}-keeps`);
  }
  const a = await page(context, '/article.html?id=nope');
  assert.equal(await a.locator('h1').textContent(), 'Story not found');
  /* no story, so no "More for you" or "Related stories" to show: their panels are not shown empty */
  assert.equal(await a.locator('#more').isVisible(), false);
  assert.equal(await a.locator('#related').isVisible(), false);
  assert.deepEqual([...p.errors, ...a.errors], []);
  await context.close();
});
