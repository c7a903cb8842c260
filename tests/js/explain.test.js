import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open as openAny, scoreOrder, makeCatalog, itemId, LEVELS, expectCode, DAY } from './helpers.js';

/* these tests are about the order by score: diversity re-ranking is off (see diversity.test.js) */
const open = (o = {}) => openAny({ ...o, config: scoreOrder(o.config) });

const catalog = makeCatalog({ n: 40, seed: 9, neighbors: 3 });
const ids = catalog.items.map((i) => i.id);
const traits = { plan: ['free', 'pro'] };
const segments = [{
  label: 'pros',
  when: { plan: ['pro'] },
  boost: { tags: { advanced: 0.5, ai: -0.3 }, categories: { howto: 0.4 }, items: { [itemId(7)]: 1.2 } },
}];
const config = { traits, segments };

/** Plain words: a sentence-like string with no placeholders, code or number dumps. */
function assertPlainWords(text, where) {
  assert.equal(typeof text, 'string', where);
  assert.ok(text.length >= 3 && text.length <= 300, `${where}: ${JSON.stringify(text)}`);
  assert.match(text, /^[A-Z"]/, `${where}: starts like a sentence: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /NaN|undefined|null|Infinity|[{}[\]\\]|%[sdgf]|\?$|\d\.\d{3,}/, `${where}: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /[\u0000-\u001f]/, `${where}: control characters`);
}

/** Engines at each level, with traits, interactions of every kind and a block. */
async function scenarios() {
  const out = [];
  for (const level of ['none', 'segment', 'behavioral', 'contextual', 'individual']) {
    const { engine, clock } = await open({ catalog, config });
    await engine.setPrivacyLevel(level);
    await engine.setTraits({ plan: 'pro' });
    const kinds = ['view', 'click', 'like', 'share', 'purchase', 'dismiss'];
    for (let i = 0; i < 12; i++) {
      clock.advance(7 * 3_600_000);
      await engine.track({ item: itemId(i * 3), type: kinds[i % kinds.length], value: 1 + (i % 3) });
    }
    await engine.block({ item: itemId(2) });
    clock.advance(2 * DAY);
    out.push({ level, engine });
  }
  return out;
}

test("explain's contributions add up to the score, for every item at every level", async () => {
  for (const { level, engine } of await scenarios()) {
    for (const id of ids) {
      const x = engine.explain(id);
      assert.equal(x.id, id);
      assert.equal(x.level, level);
      assert.ok(Number.isFinite(x.score), `${level} ${id}: score ${x.score}`);
      assert.ok(Array.isArray(x.contributions));
      const sum = x.contributions.reduce((s, c) => s + c.weight, 0);
      assert.equal(sum, x.score, `${level} ${id}: contributions sum to ${sum}, score is ${x.score}`);
      for (const c of x.contributions) {
        assert.equal(typeof c.signal, 'string');
        assert.ok(LEVELS.includes(c.level), `${level} ${id}: contribution level ${c.level}`);
        assert.ok(LEVELS.indexOf(c.level) <= LEVELS.indexOf(level),
          `${level} ${id}: a ${c.signal} contribution from level ${c.level} is above the current level`);
        assert.ok(Number.isFinite(c.weight));
        assertPlainWords(c.reason, `${level} ${id} ${c.signal}`);
      }
    }
  }
});

test('the score from explain equals the score from recommend for the same item', async () => {
  for (const { level, engine } of await scenarios()) {
    const list = engine.recommend({ k: 1000 });
    assert.ok(list.length > 20, `${level}: ${list.length} items ranked`);
    for (const r of list) assert.equal(engine.explain(r.id).score, r.score, `${level} ${r.id}`);
    /* scores come in rank order */
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].score >= list[i].score, `${level}: not sorted at ${i}`);
  }
});

test("explain's rank is the item's place in recommend, and excluded items say why", async () => {
  for (const { level, engine } of await scenarios()) {
    const list = engine.recommend({ k: 1000 }).map((r) => r.id);
    for (const id of ids) {
      const x = engine.explain(id);
      const at = list.indexOf(id);
      if (at >= 0) {
        assert.equal(x.rank, at + 1, `${level} ${id}`);
        assert.equal(x.excluded, null);
      } else {
        assert.equal(x.rank, null, `${level} ${id} is not ranked but has rank ${x.rank}`);
        assertPlainWords(x.excluded, `${level} ${id} excluded`);
      }
    }
    assert.match(engine.explain(itemId(2)).excluded, /block/i, `${level}: a blocked item says it is blocked`);
  }
});

test('reasons in recommend are plain words, one to three distinct ones per item', async () => {
  for (const { level, engine } of await scenarios()) {
    for (const r of engine.recommend({ k: 40 })) {
      assert.ok(r.reasons.length >= 1 && r.reasons.length <= 3, `${level} ${r.id}: ${r.reasons.length} reasons`);
      assert.equal(new Set(r.reasons).size, r.reasons.length, `${level} ${r.id}: repeated reasons`);
      r.reasons.forEach((text, i) => assertPlainWords(text, `${level} ${r.id} reason ${i}`));
    }
  }
});

test('behavioural reasons name what the user did', async () => {
  const { engine, clock } = await open({
    catalog: { version: 1, items: [
      { id: 'a', tags: ['rust'], title: 'Ownership explained' },
      { id: 'b', tags: ['rust'] },
      { id: 'c', tags: ['go'] },
      { id: 'd', tags: ['rust'], neighbors: [['a', 1]] },
    ] },
  });
  await engine.track({ item: 'a', type: 'like' });
  clock.advance(3_600_000);
  const b = engine.explain('b');
  const affinity = b.contributions.find((c) => c.signal === 'affinity');
  assert.ok(affinity, 'b has an affinity contribution');
  assert.equal(affinity.tag, 'rust');
  assert.match(affinity.reason, /rust/);
  assert.match(affinity.reason, /liked/);
  const top = engine.recommend({ k: 1 })[0];
  assert.notEqual(top.id, 'c', 'an item sharing the liked tag ranks first');
  assert.ok(top.reasons.some((r) => /rust/.test(r)));
});

test('editorial pins are reported by recommend and explain', async () => {
  const pinned = itemId(25);
  const { engine } = await open({ catalog, config: { ...config, editorial: { pins: [{ item: pinned, position: 2 }] } } });
  await engine.track({ item: itemId(1), type: 'click' });
  const list = engine.recommend({ k: 5 });
  assert.equal(list[1].id, pinned, 'the pin holds position 2');
  assert.equal(list[1].editorial, true);
  assert.match(list[1].reasons[0], /editor/i);
  for (const r of list) if (r.id !== pinned) assert.equal(r.editorial, undefined);
  const x = engine.explain(pinned);
  assert.equal(x.editorial, 2);
  const c = x.contributions.find((k) => k.signal === 'editorial');
  assert.ok(c, 'an editorial contribution is listed');
  assert.match(c.reason, /2/);
  assert.equal(x.contributions.reduce((s, k) => s + k.weight, 0), x.score);
  assert.equal(x.score, list[1].score);
  assert.equal(engine.explain(itemId(3)).editorial, null);
});

test('explain rejects unknown items and bad context like every call', async () => {
  const { engine } = await open({ catalog, config });
  await expectCode(() => engine.explain('no-such-item'), 'unknown_item', 'no-such-item');
  await expectCode(() => engine.explain(itemId(1), { mood: 'happy' }), 'bad_argument', 'mood');
  const x = engine.explain(itemId(1), { daypart: 'morning', device: 'mobile' });
  assert.equal(x.contributions.reduce((s, c) => s + c.weight, 0), x.score);
});
