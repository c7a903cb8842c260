// A page that uses every part of Attune at a given level and, like a site would, sends the
// server label — and only that — to its own server: as a path (/segments/<label>.json, fetch)
// and as a beacon body (POST /segments/report).  The tests watch every request it makes.
// Exposed as window.N; no inline scripts (the page runs under a strict CSP).
import { catalog } from './catalog.js';

export const LEVELS = ['none', 'segment', 'behavioral', 'contextual', 'individual'];

/* personal data the page gives the engine; none of it may appear in any request */
export const PERSONAL = {
  traits: { plan: 'platinum', region: 'nordland' },
  context: { device: 'mobile', referrer: 'email', daypart: 'evening', campaign: 'spring-sale-2026' },
};

function config(level) {
  return {
    privacyLevel: level,
    traits: { plan: ['basic', 'gold', 'platinum'], region: ['nordland', 'sudland'] },
    segments: [
      { label: 'premium', when: { plan: ['gold', 'platinum'] }, boost: { tags: { ai: 0.5 } } },
      { label: 'starter', when: { plan: ['basic'] } },
    ],
    defaultSegment: 'general',
    context: { keys: ['campaign'], rules: [{ when: { device: ['mobile'] }, boost: { tags: { web: 0.2 } } }] },
    label: { epsilon: 1 },
    sensitiveTags: ['sleep'],
  };
}

export function install(createEngine) {
  const N = {
    LEVELS,
    PERSONAL,
    /**
     * Runs the whole API at `level`, then walks through every level.  Returns what the page
     * sent (the labels, in order; null where serverPayload() was null) and any engine errors.
     */
    async run(level) {
      const sent = [];
      const errors = [];
      const ctx = PERSONAL.context;
      const engine = await createEngine({
        catalog: catalog(),
        config: config(level),
        dbName: `network-${level}`,
        on: { error: (e) => errors.push(`${e.code}: ${e.message}`) },
      });
      const report = async () => {
        const payload = engine.serverPayload();
        if (payload === null) {
          sent.push(null);
          return;
        }
        sent.push(payload.segment);
        await fetch(`/segments/${encodeURIComponent(payload.segment)}.json`).catch(() => null);
        navigator.sendBeacon('/segments/report', JSON.stringify(payload));
      };
      const use = async (round) => {
        await engine.setTraits(PERSONAL.traits);
        for (let i = 0; i < 12; i++) {
          await engine.track({ item: `item-${(i * 7 + round) % 60}`, type: i % 4 === 0 ? 'like' : 'click' }, ctx);
        }
        await engine.track({ item: 'item-5', type: 'impression' }, ctx);
        await engine.track({ item: 'item-6', type: 'dismiss' }, ctx);
        await engine.track({ item: 'item-7', type: 'purchase', value: 3 }, ctx);
        const list = engine.recommend({ k: 10, context: ctx });
        document.getElementById('list').replaceChildren(...list.map((r) => {
          const li = document.createElement('li');
          li.textContent = `${r.id}: ${r.reasons[0] ?? ''}`;
          return li;
        }));
        engine.recommend({ k: 5, filter: { tags: ['ai', 'web'] }, exclude: ['item-1'] });
        engine.explain('item-2', ctx);
        engine.segment();
        engine.inventory();
        engine.metrics();
        engine.privacyReport();
        await engine.block({ tag: 'space' });
        await engine.block({ item: 'item-9' });
        await engine.unblock({ tag: 'space' });
        await engine.flush();
      };

      await report();
      await use(0);
      await report();
      const data = await engine.export();
      await engine.import(JSON.stringify(data));
      await report();
      for (const l of ['individual', 'contextual', 'behavioral', 'segment', 'none', 'segment', 'individual']) {
        await engine.setPrivacyLevel(l);
        await use(LEVELS.indexOf(l) + 1);
        await report();
      }
      await engine.forget();
      await report();
      await engine.flush();
      engine.close();
      return { sent, errors };
    },
  };
  window.N = N;
  document.body.dataset.ready = 'yes';
}
