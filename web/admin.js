// Admin pages: hardware tiers, quotas with usage, nodes with every GPU, users and their tokens.
import { api } from './api.js';
import { ago, clear, errorBox, every, fmt, h } from './dom.js';

function table(columns, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

export async function renderTiers(main) {
  const err = errorBox();
  const list = h('div');
  const field = (id, label, attrs = {}) => [h('label', { for: id }, label), h('input', { id, type: 'text', ...attrs })];
  const form = h('form', { class: 'panel', 'aria-labelledby': 'new-tier' },
    h('h2', { id: 'new-tier' }, 'Create or change a tier'),
    h('div', { class: 'grid' },
      h('div', {}, field('t-name', 'Name'), field('t-cpu', 'CPU cores (request)', { value: '1' }),
        field('t-cpu-limit', 'CPU cores (limit)', { placeholder: 'the request' }),
        field('t-mem', 'Memory GiB (request)', { value: '1' }), field('t-mem-limit', 'Memory GiB (limit)', { placeholder: 'the request' })),
      h('div', {}, field('t-gpus', 'GPUs per instance', { value: '0' }), field('t-gpu-type', 'GPU type', { placeholder: 'any' }),
        field('t-pool', 'Node pool'), field('t-max', 'Max instances per Model API', { value: '32' }),
        h('label', {}, h('input', { type: 'checkbox', id: 't-default' }), ' default for new Model APIs'),
        h('label', {}, h('input', { type: 'checkbox', id: 't-hidden' }), ' hidden from users'))),
    err, h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Create'),
      h('button', { type: 'button', class: 'secondary', id: 't-update', onclick: () => save(true) }, 'Update existing')));
  const v = (id) => document.getElementById(id).value.trim();
  const save = async (update) => {
    const body = {
      cpu_request: Number(v('t-cpu')), memory_request_gib: Number(v('t-mem')), gpus: Number(v('t-gpus')),
      gpu_type: v('t-gpu-type'), max_instances: Number(v('t-max')),
      default: document.getElementById('t-default').checked, visible: !document.getElementById('t-hidden').checked,
    };
    if (v('t-cpu-limit')) body.cpu_limit = Number(v('t-cpu-limit'));
    if (v('t-mem-limit')) body.memory_limit_gib = Number(v('t-mem-limit'));
    if (v('t-pool')) body.node_pool = v('t-pool');
    try {
      if (update) await api('PUT', `/api/tiers/${encodeURIComponent(v('t-name'))}`, body);
      else await api('POST', '/api/tiers', { name: v('t-name'), ...body });
      err.show(null);
      await load();
    } catch (e) { err.show(e); }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); save(false); });
  const load = async () => {
    const tiers = (await api('GET', '/api/tiers')).tiers;
    clear(list);
    if (!tiers.length) { list.append(h('p', { class: 'empty' }, 'No tiers yet. Create one below: users pick a tier when they deploy.')); return; }
    list.append(table(['Name', 'CPU', 'Memory GiB', 'GPUs', 'Type', 'Pool', 'Max', 'Default', 'Visible', ''],
      tiers.map((t) => h('tr', { 'data-tier': t.name }, h('td', {}, t.name), h('td', {}, `${fmt(t.cpu_request)} / ${fmt(t.cpu_limit)}`),
        h('td', {}, `${fmt(t.memory_request_gib)} / ${fmt(t.memory_limit_gib)}`), h('td', {}, t.gpus), h('td', {}, t.gpu_type || 'any'),
        h('td', {}, t.node_pool), h('td', {}, t.max_instances), h('td', {}, t.default ? 'yes' : ''), h('td', {}, t.visible ? 'yes' : 'no'),
        h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': `Delete tier ${t.name}`, onclick: async () => {
          try { await api('DELETE', `/api/tiers/${encodeURIComponent(t.name)}`); err.show(null); await load(); } catch (e) { err.show(e); }
        } }, 'Delete'))))));
  };
  main.append(h('h1', {}, 'Hardware tiers'), h('div', { class: 'panel' }, list), form);
  await load();
}

export async function renderQuotas(main) {
  const err = errorBox();
  const list = h('div');
  main.append(h('h1', {}, 'Quotas'), h('div', { class: 'panel' },
    h('p', { class: 'hint' }, 'What each user\'s deployments ask for now, against their limit. Users without a quota of their own get the default.'),
    list, err));
  const load = async () => {
    const users = (await api('GET', '/api/users')).users;
    const quotas = await Promise.all(users.map((u) => api('GET', `/api/users/${encodeURIComponent(u.name)}/quota`)));
    clear(list).append(table(['User', 'GPUs', 'Instances', 'CPU cores', 'Memory GiB', 'Own quota', ''],
      quotas.map((q) => {
        const inputs = ['max_gpus', 'max_instances', 'max_cpus', 'max_memory_gib'].map((k) =>
          h('input', { type: 'number', min: 0, step: 'any', value: q[k], 'aria-label': `${k} of ${q.user}`, 'data-key': k }));
        const used = [q.used.gpus, q.used.instances, fmt(q.used.cpus), fmt(q.used.memory_gib)];
        return h('tr', { 'data-user': q.user }, h('td', {}, q.user),
          inputs.map((inp, i) => h('td', {}, `${used[i]} of `, inp)), h('td', {}, q.default ? 'default' : 'own'),
          h('td', {}, h('button', { type: 'button', 'aria-label': `Save quota of ${q.user}`, onclick: async () => {
            const body = {};
            for (const inp of inputs) body[inp.dataset.key] = Number(inp.value);
            try { await api('PUT', `/api/users/${encodeURIComponent(q.user)}/quota`, body); err.show(null); await load(); } catch (e) { err.show(e); }
          } }, 'Save')));
      })));
  };
  await load();
}

export function renderNodes(main) {
  const err = errorBox();
  const list = h('div');
  main.append(h('h1', {}, 'Nodes and GPUs'), err, list);
  return every(3000, async () => {
    try {
      const inv = await api('GET', '/api/nodes');
      clear(list).append(h('p', { class: 'hint' }, `Inventory: ${inv.source}. Updates every 3 s.`),
        ...inv.nodes.map((n) => h('section', { class: 'panel', 'data-node': n.name, 'aria-label': `Node ${n.name}` },
          h('h2', {}, `${n.name} `, h('span', { class: 'hint' }, `pool ${n.pool}, ${fmt(n.cpus_allocated)} of ${n.cpus} cores and ` +
            `${fmt(n.memory_allocated_gib)} of ${fmt(n.memory_gib)} GiB allocated${n.declared ? ', declared' : ''}`)),
          n.gpus.length ? n.gpus.map((g) => h('div', { class: `gpu${g.held_by ? ' held' : ''}`, 'data-gpu': g.index },
            h('strong', {}, `GPU ${g.index}`), h('div', {}, `${g.type}, ${fmt(g.memory_gib)} GiB${g.declared ? ' (declared)' : ''}`),
            h('div', {}, g.held_by ? `held by ${g.held_by.model} (${g.held_by.instance})` : 'free'),
            g.utilization_percent !== undefined ? h('div', {}, `utilization ${g.utilization_percent}%, ${fmt(g.memory_used_gib)} GiB used`) : ''))
            : h('p', { class: 'empty' }, 'No GPUs.'))));
      err.show(null);
    } catch (e) { err.show(e); }
  });
}

export async function renderUsers(main) {
  const err = errorBox();
  const list = h('div');
  const secret = h('div', { class: 'secret', hidden: true, role: 'status' });
  const nameInput = h('input', { type: 'text', id: 'u-name' });
  const adminBox = h('input', { type: 'checkbox', id: 'u-admin' });
  const form = h('form', { class: 'panel' }, h('h2', {}, 'New user'), h('label', { for: 'u-name' }, 'Name'), nameInput,
    h('label', {}, adminBox, ' admin'), h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Create user')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await api('POST', '/api/users', { name: nameInput.value.trim(), role: adminBox.checked ? 'admin' : 'user' }); nameInput.value = ''; err.show(null); await load(); } catch (ex) { err.show(ex); }
  });
  const load = async () => {
    const users = (await api('GET', '/api/users')).users;
    const tokens = await Promise.all(users.map((u) => api('GET', `/api/users/${encodeURIComponent(u.name)}/tokens`)));
    clear(list).append(...users.map((u, i) => h('section', { class: 'panel', 'data-user': u.name },
      h('h2', {}, `${u.name} `, h('span', { class: 'hint' }, `${u.role}, since ${ago(u.created_at)}`)),
      tokens[i].tokens.length ? table(['Token', 'Created', 'State', ''], tokens[i].tokens.map((t) => h('tr', {},
        h('td', {}, t.name), h('td', {}, ago(t.created_at)), h('td', {}, t.revoked_at ? 'revoked' : 'valid'),
        h('td', {}, t.revoked_at ? '' : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${t.name} of ${u.name}`, onclick: async () => {
          try { await api('DELETE', `/api/tokens/${encodeURIComponent(t.id)}`); err.show(null); await load(); } catch (ex) { err.show(ex); }
        } }, 'Revoke'))))) : h('p', { class: 'empty' }, 'No tokens.'),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', 'aria-label': `New token for ${u.name}`, onclick: async () => {
        try {
          const t = await api('POST', `/api/users/${encodeURIComponent(u.name)}/tokens`, { name: `dashboard-${Date.now()}` });
          secret.textContent = '';
          secret.append(h('strong', {}, `Token for ${u.name}, shown once: `), h('code', {}, t.token));
          secret.hidden = false;
          err.show(null);
          await load();
        } catch (ex) { err.show(ex); }
      } }, 'New token')))));
  };
  main.append(h('h1', {}, 'Users and tokens'), secret, err, form, list);
  await load();
}
