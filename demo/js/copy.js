/**
 * An article's body, written on the fly from its id (seeded, so a story reads the same every
 * time).  The Meridian's stories are synthetic; this keeps catalog.json small.
 */
import { hash, topicName } from './site.js';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return ((t ^ (t >>> 15)) >>> 0) / 4294967296;
  };
}

/** Tags that say what kind of piece it is, not what it is about. */
const FORMATS = ['basics', 'advanced', 'briefing', 'explainer', 'analysis', 'opinion'];

const OPENERS = [
  'It has been a week of quiet manoeuvring around {a}, and the mood has shifted.',
  'Few people expected {a} to dominate the conversation this month, yet here we are.',
  'The story of {a} is, at heart, a story about timing.',
  'Ask ten people about {a} and you will hear eleven opinions.',
  'For months, {a} sat at the edge of the agenda. Not any more.',
];
const MIDDLE = [
  'People close to the discussions describe the mood as cautious but not pessimistic.',
  'The numbers tell part of the story; the people behind them tell the rest.',
  'What changed was not the argument but the audience for it.',
  'For anyone following {b}, the details matter more than the headlines.',
  'The first thing to understand is how much depends on the next few weeks.',
  'Critics say the plan leaves too much unsaid about {b}.',
  'Supporters point to a decade of slow, unglamorous progress.',
  'There is a version of this that ends well for almost everyone involved.',
  'Much of the work has happened out of sight, in meetings that rarely make the news.',
  'The links to {c} are easy to miss and hard to ignore once you see them.',
  'Those on the ground say the picture is more mixed than the official account suggests.',
  'It is a familiar pattern: early enthusiasm, a difficult middle, and a long tail of consequences.',
  'Several of those we spoke to asked not to be named, a sign of how sensitive the moment is.',
  'Even the sceptics concede that the direction of travel is now clear.',
];
const CLOSERS = [
  'What happens next will say a lot about {b}, and about who gets to decide.',
  'We will keep following {a} as it develops.',
  'For now, the most honest answer is that nobody quite knows.',
  'The next test comes sooner than most people think.',
];
const QUOTES = [
  'Nobody wants to be the first to blink.',
  'We have been here before, but never quite like this.',
  'The easy decisions were made years ago.',
  'It is slower than anyone would like, and faster than anyone expected.',
];

/** Paragraphs and a pull quote for an item. */
export function articleBody(item) {
  const r = rng(hash(item.id));
  const pick = (list) => list[Math.floor(r() * list.length)];
  const topics = item.tags.filter((t) => !FORMATS.includes(t)).map(topicName);
  const slots = { a: topics[0] ?? item.category, b: topics[1] ?? topics[0] ?? item.category, c: topics[2] ?? item.category };
  const fill = (s) => s.replace(/\{(\w)\}/g, (_, k) => slots[k]);
  const middle = [...MIDDLE].sort(() => r() - 0.5);
  const paragraphs = [];
  const count = 3 + Math.floor(r() * 3);
  for (let p = 0; p < count; p++) {
    const sentences = [];
    if (p === 0) sentences.push(pick(OPENERS));
    const n = 2 + Math.floor(r() * 2);
    for (let i = 0; i < n && middle.length; i++) sentences.push(middle.pop());
    if (p === count - 1) sentences.push(pick(CLOSERS));
    paragraphs.push(sentences.map(fill).join(' '));
  }
  return { paragraphs, quote: pick(QUOTES) };
}
