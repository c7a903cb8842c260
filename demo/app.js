import { createEngine } from './attune/js/index.js';

const engine = await createEngine({ catalog: 'catalog.json', config: { privacyLevel: 'behavioral' } });
const rail = document.getElementById('rail');
const table = document.getElementById('inventory');

function render() {
  rail.replaceChildren(...engine.recommend({ k: 8 }).map((r) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.textContent = r.id;
    b.addEventListener('click', async () => { await engine.track({ item: r.id, type: 'click' }); render(); });
    const why = document.createElement('p');
    why.textContent = r.reasons.join(' · ');
    li.append(b, why);
    return li;
  }));
  table.replaceChildren(...engine.inventory().map((row) => {
    const tr = document.createElement('tr');
    for (const v of [row.what, row.why, row.count]) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  }));
}
render();
