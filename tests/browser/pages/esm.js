import { createEngine, MemoryStorage } from '/js/index.js';
import { install } from './harness-page.js';

install(createEngine, MemoryStorage, {
  render() {
    const list = document.getElementById('list');
    list.replaceChildren(...window.T.engine.recommend({ k: 5 }).map((r) => {
      const li = document.createElement('li');
      li.textContent = r.id;
      return li;
    }));
    return list.children.length;
  },
});
