// A small deterministic catalog shared by the test pages.
export function catalog(n = 60) {
  const cats = ['tech', 'science', 'sport', 'health'];
  const tags = ['ai', 'web', 'space', 'climate', 'football', 'tennis', 'sleep', 'nutrition'];
  const items = [];
  for (let i = 0; i < n; i++) {
    items.push({
      id: `item-${i}`,
      title: `Item ${i}`,
      category: cats[i % cats.length],
      tags: [tags[i % tags.length], tags[(i * 3 + 1) % tags.length]],
      popularity: 1000 - i * 10,
      neighbors: [[`item-${(i + 1) % n}`, 0.5]],
    });
  }
  return { version: 1, items };
}
