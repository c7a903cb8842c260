// A write that fails is not dropped: the engine reports it on 'error', keeps the profile in
// memory, and tries again by itself after a back-off (a second or so), with no further call
// from the page — until IndexedDB holds what memory holds.  This goes for saves (a one-off
// quota error) and for deletions (forget must end with nothing stored).  Each test runs in a
// fresh browser context, so IndexedDB starts empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.js';

let env;
before(async () => { env = await start(); });
after(() => env.close());

/**
 * A page whose next `window.failures.<method>` calls of that IDBObjectStore method on the
 * 'profiles' store throw `error`; every call is logged in window.calls with its time.
 */
async function faultyPage(context) {
  await context.addInitScript(() => {
    window.failures = { put: 0, delete: 0 };
    window.calls = [];
    for (const method of ['put', 'delete']) {
      const real = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (...args) {
        if (this.name !== 'profiles') return real.apply(this, args);
        const failed = window.failures[method] > 0;
        window.calls.push({ method, failed, at: performance.now() });
        if (failed) {
          window.failures[method]--;
          throw new DOMException(...window.failure);
        }
        return real.apply(this, args);
      };
    }
  });
  return env.ready(context);
}

test('a save that hits a quota error once is reported, retried after a back-off, and ends stored', async () => {
  const context = await env.browser.newContext();
  const p = await faultyPage(context);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 0 });
    const e = window.T.engine;
    const errors = [];
    e.on('error', (err) => errors.push({ code: err.code, at: performance.now() }));
    window.failure = ['The quota has been exceeded.', 'QuotaExceededError'];
    window.failures.put = 1;
    await e.track({ item: 'item-1', type: 'click' });
    const flushed = await e.flush().then(() => 'resolved', (err) => `rejected: ${err.code}`);
    const afterFailure = { errors: errors.map((x) => x.code), stored: await tools.storedItems() };
    /* no call from here on: the retry is the engine's own */
    const stored = await tools.until(async () => (await tools.storedItems())?.length === 1);
    return {
      flushed, afterFailure, stored, errors, calls: window.calls,
      final: await tools.storedItems(),
      memory: (await e.export()).history.map((h) => h.item),
    };
  });
  assert.equal(out.flushed, 'resolved', 'a storage failure never throws into the page');
  assert.deepEqual(out.afterFailure, { errors: ['quota_exceeded'], stored: null }, 'reported at once; nothing stored yet');
  assert.equal(out.stored, true, 'the retry stored the profile without another call');
  assert.deepEqual(out.final, ['item-1']);
  assert.deepEqual(out.memory, ['item-1']);
  assert.deepEqual(out.calls.map((c) => c.failed), [true, false], 'one failed put, then one that worked');
  assert.deepEqual(out.errors.map((x) => x.code), ['quota_exceeded'], 'the error came once, and nothing after the retry');
  assert.ok(out.errors[0].at < out.calls[1].at, 'the error was reported before the retry');
  assert.ok(out.calls[1].at - out.calls[0].at >= 900, `the retry waited for the back-off (${Math.round(out.calls[1].at - out.calls[0].at)} ms)`);
  await context.close();
});

test('a forget whose deletion fails once is reported, retried after a back-off, and ends with nothing stored', async () => {
  const context = await env.browser.newContext();
  const p = await faultyPage(context);
  const out = await p.evaluate(async () => {
    const tools = await import('/tests/browser/pages/idb-tools.js');
    await window.T.create({ saveDelayMs: 0 });
    const e = window.T.engine;
    await e.track({ item: 'item-1', type: 'click' });
    await e.flush();
    const before = await tools.storedItems();
    const errors = [];
    e.on('error', (err) => errors.push({ code: err.code, at: performance.now() }));
    window.failure = ['the disk said no', 'UnknownError'];
    window.failures.delete = 1;
    const forgot = await e.forget().then(() => 'resolved', (err) => `rejected: ${err.code}`);
    const afterFailure = {
      errors: errors.map((x) => x.code),
      stored: await tools.storedItems(),
      memory: (await e.export()).history.length,
    };
    const gone = await tools.until(async () => (await tools.storedItems()) === null);
    return {
      before, forgot, afterFailure, gone, errors,
      calls: window.calls.filter((c) => c.method === 'delete'),
      profiles: await tools.all('profiles'),
    };
  });
  assert.deepEqual(out.before, ['item-1']);
  assert.equal(out.forgot, 'resolved');
  assert.deepEqual(out.afterFailure, { errors: ['storage_failed'], stored: ['item-1'], memory: 0 },
    'memory is forgotten at once; the stored copy waits for the retry');
  assert.equal(out.gone, true, 'the retry deleted the record without another call');
  assert.deepEqual(out.profiles, []);
  assert.deepEqual(out.calls.map((c) => c.failed), [true, false]);
  assert.deepEqual(out.errors.map((x) => x.code), ['storage_failed']);
  assert.ok(out.calls[1].at - out.calls[0].at >= 900, `the retry waited for the back-off (${Math.round(out.calls[1].at - out.calls[0].at)} ms)`);
  await context.close();
});
