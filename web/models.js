// The models overview: every Model API the user may see, updating every 2 s.
import { api } from './api.js';
import { ago, badge, clear, errorBox, every, fmt, h } from './dom.js';

const COLUMNS = [
  ['name', 'Name'], ['owner', 'Owner'], ['status', 'Status'], ['active_version', 'Version'],
  ['tier', 'Tier'], ['precision', 'Precision'], ['ready', 'Instances'], ['gpus', 'GPUs'],
  ['rps', 'Req/s'], ['p50', 'p50 ms'], ['p99', 'p99 ms'], ['err', 'Errors'], ['deployed_at', 'Deployed'],
];

function row(m) {
  const t = m.traffic;
  const gpus = m.instances.filter((i) => i.gpus.length)
    .map((i) => `${i.node}:${i.gpus.join('+')}`).join(', ');
  return {
    name: m.name, owner: m.owner, status: m.status, active_version: m.active_version,
    tier: m.deployment.tier || '-', precision: m.deployment.tier ? m.deployment.precision : '-',
    ready: `${m.instances_ready}/${m.instances_desired}`,
    gpus: gpus || '-', rps: t.requests_per_s, p50: t.p50_ms, p99: t.p99_ms, err: t.error_rate,
    deployed_at: m.deployment.deployed_at, _m: m,
  };
}

export function renderModels(main, me) {
  let sortKey = 'name', asc = true, filter = '';
  const err = errorBox();
  const filterInput = h('input', { type: 'text', id: 'filter', placeholder: 'name, owner, status or tier' });
  const tableHolder = h('div', { class: 'table-wrap' });
  main.append(h('h1', {}, 'Models'),
    h('div', { class: 'panel' },
      h('label', { for: 'filter' }, 'Filter'), filterInput, err, tableHolder));
  let rows = [];
  const draw = () => {
    const shown = rows.filter((r) => !filter ||
      [r.name, r.owner, r.status, r.tier].some((v) => String(v).toLowerCase().includes(filter)));
    shown.sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return asc ? c : -c;
    });
    clear(tableHolder);
    if (!rows.length) {
      tableHolder.append(h('p', { class: 'empty' }, 'No Model APIs yet. ',
        h('a', { href: '#/deploy' }, 'Deploy your first model'), ' in two steps: upload the file, pick a tier.'));
      return;
    }
    if (!shown.length) {
      tableHolder.append(h('p', { class: 'empty' }, `Nothing matches "${filter}".`));
      return;
    }
    const head = h('tr', {}, COLUMNS.map(([k, label]) => h('th', {
      scope: 'col', class: ['rps', 'p50', 'p99', 'err'].includes(k) ? 'num' : undefined,
      'aria-sort': sortKey === k ? (asc ? 'ascending' : 'descending') : undefined,
    }, h('button', { class: 'sort', type: 'button', onclick: () => {
      if (sortKey === k) asc = !asc; else { sortKey = k; asc = true; }
      draw();
    } }, label + (sortKey === k ? (asc ? ' ▲' : ' ▼') : '')))));
    const body = shown.map((r) => h('tr', { 'data-model': r.name },
      h('td', {}, h('a', { href: `#/models/${encodeURIComponent(r.name)}` }, r.name)),
      h('td', {}, r.owner), h('td', {}, badge(r.status)), h('td', {}, r.active_version),
      h('td', {}, r.tier), h('td', {}, r.precision), h('td', {}, r.ready), h('td', {}, r.gpus),
      h('td', { class: 'num' }, fmt(r.rps)), h('td', { class: 'num' }, fmt(r.p50, 2)),
      h('td', { class: 'num' }, fmt(r.p99, 2)), h('td', { class: 'num' }, `${fmt(r.err * 100)}%`),
      h('td', {}, ago(r.deployed_at))));
    tableHolder.append(h('table', {}, h('caption', { class: 'hint', style: 'text-align:left' },
      'Traffic over the last 5 minutes, through the gateway. Updates every 2 s.'),
    h('thead', {}, head), h('tbody', {}, body)));
  };
  filterInput.addEventListener('input', () => { filter = filterInput.value.trim().toLowerCase(); draw(); });
  return every(2000, async () => {
    try {
      rows = (await api('GET', '/api/models')).models.map(row);
      err.show(null);
    } catch (e) { err.show(e); }
    draw();
  });
}
