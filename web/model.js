// One Model API: deployment (editable, with the quota left and the GPUs free), instances and their
// logs, versions (promote, rollback, upload), traffic charts, access, and a tester.
import { api, apiText, callModel, token, upload } from './api.js';
import { lineChart } from './charts.js';
import { ago, badge, bytes, clear, duration, errorBox, every, fmt, h } from './dom.js';
import { precisionField } from './precision.js';

// An Open Inference Protocol request for the active version's signature, with small numbers.
function sampleV2(m) {
  const active = (m.versions || []).find((v) => v.active);
  const inputs = active && active.signature ? active.signature.inputs : [];
  return JSON.stringify({
    inputs: inputs.map((inp) => {
      const shape = inp.shape.map((d) => (d < 0 ? 1 : d));
      const n = shape.reduce((a, b) => a * b, 1);
      return { name: inp.name, shape, datatype: inp.datatype, data: Array.from({ length: Math.min(n, 64) }, (_, i) => i % 5) };
    }),
  });
}

function sampleBody(m) {
  const active = (m.versions || []).find((v) => v.active);
  const inputs = active && active.signature ? active.signature.inputs : [];
  const data = {};
  for (const inp of inputs) {
    const shape = inp.shape.map((d) => (d < 0 ? 1 : d));
    const n = shape.slice(1).reduce((a, b) => a * b, 1);
    data[inp.name] = [Array.from({ length: Math.min(n, 64) }, (_, i) => i % 5)];
  }
  return JSON.stringify({ data }, null, 1);
}

export async function renderModel(main, name, me) {
  const base = `/api/models/${encodeURIComponent(name)}`;
  const stops = [];
  let model = null;
  const pageErr = errorBox();
  const title = h('h1', {}, name, ' ');
  const summary = h('div');
  const actions = h('div', { class: 'row' });
  const actionErr = errorBox();
  main.append(h('p', {}, h('a', { href: '#/models' }, '← All models')), title, pageErr,
    h('div', { class: 'panel' }, summary, actions, actionErr));

  // -- deployment ---------------------------------------------------------------------------
  const tierSelect = h('select', { id: 'tier' });
  const instancesInput = h('input', { type: 'number', id: 'instances', min: 1, max: 32, value: 1 });
  const capacity = h('p', { class: 'hint', id: 'capacity', 'aria-live': 'polite' });
  const precision = precisionField();
  const deployErr = errorBox();
  const saveBtn = h('button', { type: 'submit' }, 'Save deployment');
  const deployForm = h('form', { class: 'panel', 'aria-labelledby': 'dep-h' },
    h('h2', { id: 'dep-h' }, 'Deployment'),
    h('label', { for: 'tier' }, 'Hardware tier'), tierSelect,
    h('label', { for: 'instances' }, 'Instances ', h('span', { class: 'hint' }, '(1 to 32; each gets GPUs of its own)')),
    instancesInput, capacity, ...precision.elements, deployErr, h('div', { class: 'row' }, saveBtn));
  let tiers = [];
  let deploymentTouched = false;
  const showCapacity = async () => {
    const tier = tiers.find((t) => t.name === tierSelect.value);
    if (!tier) { capacity.textContent = ''; return; }
    try {
      const [quota, nodes] = await Promise.all([
        api('GET', `/api/users/${encodeURIComponent(model ? model.owner : me.name)}/quota`),
        api('GET', '/api/nodes')]);
      const free = nodes.nodes.filter((n) => n.pool === tier.node_pool)
        .flatMap((n) => n.gpus).filter((g) => !g.held_by && (!tier.gpu_type || g.type === tier.gpu_type)).length;
      const u = quota.used;
      capacity.textContent = `${tier.name}: ${fmt(tier.cpu_request)} CPU, ${fmt(tier.memory_request_gib)} GiB, ` +
        `${tier.gpus} GPU${tier.gpus === 1 ? '' : 's'}${tier.gpu_type ? ` (${tier.gpu_type})` : ''} per instance, ` +
        `pool ${tier.node_pool}; GPUs free in the pool now: ${free}. ` +
        `Quota of ${quota.user}: GPUs ${u.gpus} of ${quota.max_gpus} used, instances ${u.instances} of ` +
        `${quota.max_instances}, CPU ${fmt(u.cpus)} of ${fmt(quota.max_cpus)}, memory ${fmt(u.memory_gib)} of ` +
        `${fmt(quota.max_memory_gib)} GiB.`;
    } catch (e) { capacity.textContent = e.message; }
  };
  const tierChosen = () => tiers.find((t) => t.name === tierSelect.value);
  tierSelect.addEventListener('change', () => { deploymentTouched = true; precision.forTier(tierChosen()); showCapacity(); });
  instancesInput.addEventListener('input', () => { deploymentTouched = true; });
  precision.select.addEventListener('change', () => { deploymentTouched = true; });
  deployForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    saveBtn.disabled = true;
    try {
      model = await api('PUT', `${base}/deployment`,
        { tier: tierSelect.value, instances: Number(instancesInput.value), precision: precision.select.value });
      deployErr.show(null);
      deploymentTouched = false;
      draw();
      showCapacity();
    } catch (ex) { deployErr.show(ex); } finally { saveBtn.disabled = false; }
  });

  // -- instances and logs ----------------------------------------------------------------------
  const instHolder = h('div', { class: 'table-wrap' });
  const logsPre = h('pre', { id: 'logs', tabindex: 0, 'aria-label': 'Instance log' }, 'Choose an instance\'s logs.');
  const followBox = h('input', { type: 'checkbox', id: 'follow' });
  let logInstance = null;
  const loadLogs = async () => {
    if (!logInstance) return;
    try {
      logsPre.textContent = await apiText(`${base}/instances/${encodeURIComponent(logInstance)}/logs?tail=200`) || '(empty)';
      if (followBox.checked) logsPre.scrollTop = logsPre.scrollHeight;
    } catch (e) { logsPre.textContent = e.message; }
  };
  stops.push(every(2000, () => (followBox.checked ? loadLogs() : null)));
  const instPanel = h('section', { class: 'panel', 'aria-labelledby': 'inst-h' },
    h('h2', { id: 'inst-h' }, 'Instances'), instHolder,
    h('div', { class: 'row' }, h('strong', { id: 'logs-title' }, 'Logs'),
      h('label', { for: 'follow', style: 'margin:0;font-weight:normal' }, followBox, ' follow')),
    logsPre);

  // -- versions ------------------------------------------------------------------------------
  const versionsHolder = h('div', { class: 'table-wrap' });
  const versionErr = errorBox();
  const fileInput = h('input', { type: 'file', id: 'new-version', accept: '.onnx' });
  const noteInput = h('input', { type: 'text', id: 'note', placeholder: 'what changed' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const uploadBtn = h('button', { type: 'submit' }, 'Upload new version');
  const uploadForm = h('form', {},
    h('label', { for: 'new-version' }, 'New version ', h('span', { class: 'hint' }, '(ONNX file; it becomes active: a rolling update)')),
    fileInput, h('label', { for: 'note' }, 'Note'), noteInput, progress, h('div', { class: 'row' }, uploadBtn));
  uploadForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!fileInput.files.length) { versionErr.show(new Error('Choose the model file first.')); return; }
    uploadBtn.disabled = true;
    progress.hidden = false;
    try {
      await upload(`${base}/versions?note=${encodeURIComponent(noteInput.value)}`, fileInput.files[0], (f) => { progress.value = f; });
      versionErr.show(null);
      fileInput.value = '';
      noteInput.value = '';
      await refresh();
    } catch (ex) { versionErr.show(ex); } finally { uploadBtn.disabled = false; progress.hidden = true; }
  });
  const versionsPanel = h('section', { class: 'panel', 'aria-labelledby': 'ver-h' },
    h('h2', { id: 'ver-h' }, 'Versions'), versionsHolder, versionErr, uploadForm);

  // -- traffic -------------------------------------------------------------------------------
  const charts = h('div', { id: 'charts' });
  const trafficPanel = h('section', { class: 'panel', 'aria-labelledby': 'tr-h' },
    h('h2', { id: 'tr-h' }, 'Traffic, last hour'), charts);
  stops.push(every(10000, async () => {
    try {
      const m = await api('GET', `${base}/metrics?window=3600&step=60`);
      const pts = (k) => m.series.map((s) => [s.t, s[k]]);
      clear(charts).append(
        h('p', { class: 'hint' }, `${m.total_requests} requests since the controller started; last hour: ${m.requests}, ${m.errors} errors.`),
        lineChart('Requests/s', '', [{ name: 'requests/s', points: pts('requests_per_s') }]),
        lineChart('Latency', ' ms', [{ name: 'p50', points: pts('p50_ms') }, { name: 'p99', points: pts('p99_ms') }]),
        lineChart('Errors', '%', [{ name: 'error rate', points: m.series.map((s) => [s.t, s.error_rate * 100]) }]));
    } catch (e) { clear(charts).append(h('p', { class: 'error' }, e.message)); }
  }));

  // -- access ---------------------------------------------------------------------------------
  const visSelect = h('select', { id: 'visibility' }, h('option', { value: 'private' }, 'private: callers need an access token'),
    h('option', { value: 'public' }, 'public: anyone who reaches the controller'));
  const accessErr = errorBox();
  const tokensHolder = h('div', { class: 'table-wrap' });
  const secretBox = h('div', { class: 'secret', hidden: true, role: 'status' });
  const tokenName = h('input', { type: 'text', id: 'token-name', placeholder: 'my-app' });
  const loadTokens = async () => {
    const tokens = (await api('GET', `${base}/access-tokens`)).tokens;
    clear(tokensHolder);
    if (!tokens.length) { tokensHolder.append(h('p', { class: 'empty' }, 'No access tokens yet.')); return; }
    tokensHolder.append(h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Created'), h('th', {}, 'State'), h('th', {}))),
      h('tbody', {}, tokens.map((t) => h('tr', {},
        h('td', {}, t.name), h('td', {}, ago(t.created_at)), h('td', {}, t.revoked_at ? `revoked ${ago(t.revoked_at)}` : 'valid'),
        h('td', {}, t.revoked_at ? '' : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke token ${t.name}`,
          onclick: async () => {
            try { await api('DELETE', `${base}/access-tokens/${encodeURIComponent(t.id)}`); accessErr.show(null); await loadTokens(); } catch (e) { accessErr.show(e); }
          } }, 'Revoke')))))));
  };
  const accessPanel = h('section', { class: 'panel', 'aria-labelledby': 'acc-h' },
    h('h2', { id: 'acc-h' }, 'Access'),
    h('label', { for: 'visibility' }, 'Visibility'), visSelect,
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { model = await api('PATCH', base, { visibility: visSelect.value }); accessErr.show(null); draw(); } catch (e) { accessErr.show(e); }
    } }, 'Save visibility')),
    h('label', { for: 'token-name' }, 'New access token'), tokenName,
    h('div', { class: 'row' }, h('button', { type: 'button', onclick: async () => {
      try {
        const t = await api('POST', `${base}/access-tokens`, { name: tokenName.value.trim() });
        testerToken.value = t.token;
        secretBox.textContent = '';
        secretBox.append(h('strong', {}, 'Shown once, copy it now: '), h('code', { id: 'new-secret' }, t.token));
        secretBox.hidden = false;
        tokenName.value = '';
        accessErr.show(null);
        await loadTokens();
      } catch (e) { accessErr.show(e); }
    } }, 'Create token')),
    secretBox, accessErr, tokensHolder);

  // -- call this model --------------------------------------------------------------------------
  const snippets = h('div');
  const testerBody = h('textarea', { id: 'tester-body', 'aria-describedby': 'tester-hint' });
  const testerToken = h('input', { type: 'password', id: 'tester-token', autocomplete: 'off' });
  const testerOut = h('pre', { id: 'tester-out', 'aria-live': 'polite' }, 'No request sent yet.');
  const callPanel = h('section', { class: 'panel', 'aria-labelledby': 'call-h' },
    h('h2', { id: 'call-h' }, 'Call this model'), snippets,
    h('label', { for: 'tester-body' }, 'Request body (Domino-style JSON)'), testerBody,
    h('p', { class: 'hint', id: 'tester-hint' }, 'Sent from this browser to the Model API\'s route through the gateway.'),
    h('label', { for: 'tester-token' }, 'Access token ', h('span', { class: 'hint' }, '(empty: your own token)')), testerToken,
    h('div', { class: 'row' }, h('button', { type: 'button', id: 'send', onclick: async () => {
      testerOut.textContent = 'Sending...';
      try {
        const r = await callModel(`/models/${encodeURIComponent(name)}/latest/model`, testerBody.value, testerToken.value.trim() || token());
        let shown = r.text;
        try { shown = JSON.stringify(JSON.parse(r.text), null, 1); } catch { /* not JSON */ }
        testerOut.textContent = `HTTP ${r.status} in ${r.ms.toFixed(1)} ms\n${shown}`;
      } catch (e) { testerOut.textContent = `The request failed: ${e.message}`; }
    } }, 'Send')), testerOut);

  main.append(h('div', { class: 'grid' }, deployForm, instPanel), h('div', { class: 'grid' }, versionsPanel, trafficPanel),
    h('div', { class: 'grid' }, accessPanel, callPanel));

  const draw = () => {
    const m = model;
    title.replaceChildren(m.name, ' ', badge(m.status));
    clear(summary).append(h('dl', { class: 'kv' },
      h('dt', {}, 'Owner'), h('dd', {}, m.owner),
      h('dt', {}, 'Description'), h('dd', {}, m.description || '-'),
      h('dt', {}, 'Active version'), h('dd', {}, `${m.active_version} of ${m.latest_version}`),
      h('dt', {}, 'Deployment'), h('dd', { id: 'deployment' }, m.deployment.tier
        ? `tier ${m.deployment.tier}, ${m.deployment.instances} instance${m.deployment.instances === 1 ? '' : 's'}, precision ${m.deployment.precision}`
        : 'not deployed'),
      h('dt', {}, 'Instances ready'), h('dd', { id: 'ready' }, `${m.instances_ready} of ${m.instances_desired}`),
      h('dt', {}, 'Last deployment'), h('dd', {}, ago(m.deployment.deployed_at)),
      h('dt', {}, 'Last 5 min'), h('dd', {}, `${fmt(m.traffic.requests_per_s)} req/s, p50 ${fmt(m.traffic.p50_ms, 2)} ms, p99 ${fmt(m.traffic.p99_ms, 2)} ms, errors ${fmt(m.traffic.error_rate * 100)}%`)));
    clear(actions).append(
      m.deployment.running && m.deployment.tier
        ? h('button', { type: 'button', class: 'secondary', onclick: () => act('POST', `${base}/stop`) }, 'Stop')
        : h('button', { type: 'button', class: 'secondary', onclick: () => act('POST', `${base}/start`), disabled: !m.deployment.tier }, 'Start'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete the Model API ${m.name}? Its instances drain first.`)) return;
        await act('DELETE', base);
        location.hash = '#/models';
      } }, 'Delete'));
    if (!deploymentTouched) {
      if (m.deployment.tier) tierSelect.value = m.deployment.tier;
      instancesInput.value = m.deployment.instances || 1;
      precision.forTier(tierChosen());
      precision.select.value = m.deployment.precision;
    }
    visSelect.value = m.visibility;
    // Instances.
    clear(instHolder);
    if (!m.instances.length) {
      instHolder.append(h('p', { class: 'empty' }, m.deployment.tier
        ? 'No instances (stopped).' : 'Not deployed yet: choose a tier and the number of instances, then save.'));
    } else {
      instHolder.append(h('table', {}, h('thead', {}, h('tr', {}, ['Instance', 'Version', 'State', 'Node', 'GPUs', 'Restarts', 'Uptime', 'Reason', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, m.instances.map((i) => h('tr', { 'data-instance': i.id },
          h('td', {}, h('code', {}, i.id)), h('td', {}, i.version), h('td', {}, badge(i.state)), h('td', {}, i.node || '-'),
          h('td', {}, i.gpus.length ? i.gpus.join(', ') : '-'), h('td', { class: 'num' }, i.restarts), h('td', {}, duration(i.uptime_s)),
          h('td', {}, h('span', { title: i.reason }, i.reason.split('\n')[0])),
          h('td', {}, h('button', { type: 'button', class: 'link', 'aria-label': `Logs of ${i.id}`, onclick: () => {
            logInstance = i.id;
            document.getElementById('logs-title').textContent = `Logs of ${i.id}`;
            loadLogs();
          } }, 'Logs')))))));
    }
    // Versions.
    clear(versionsHolder).append(h('div', { class: 'row', style: 'margin:0 0 8px' },
      h('button', { type: 'button', class: 'secondary', disabled: !m.versions || m.versions.length < 2,
        onclick: () => act('POST', `${base}/rollback`) }, 'Roll back to the previous version')),
    h('table', {}, h('thead', {}, h('tr', {}, ['Version', 'Uploaded', 'Size', 'SHA-256', 'Labels', 'Note', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, (m.versions || []).slice().reverse().map((v) => h('tr', { 'data-version': v.version },
        h('td', {}, v.version, v.active ? ' ' : '', v.active ? badge('active') : ''), h('td', {}, ago(v.uploaded_at)),
        h('td', {}, bytes(v.size)), h('td', {}, h('code', { title: v.sha256 }, v.sha256.slice(0, 12))),
        h('td', {}, v.labels.join(', ') || '-'), h('td', {}, v.note || '-'),
        h('td', {}, v.active && v.labels.includes('prod') ? '' : h('button', { type: 'button', class: 'secondary',
          'aria-label': `Promote version ${v.version} to prod`, onclick: () => act('POST', `${base}/promote`, { version: v.version, label: 'prod' }) },
        'Promote to prod')))))));
    // Snippets.
    const origin = location.origin;
    const sample = sampleBody(m);
    if (!testerBody.value) testerBody.value = sample;
    const compact = JSON.stringify(JSON.parse(sample));
    const auth = m.visibility === 'private' ? ' -H "Authorization: Bearer $TOKEN"' : '';
    clear(snippets).append(
      h('p', { class: 'hint' }, 'curl, Domino-style JSON:'),
      h('pre', {}, `curl -s${auth} ${origin}/models/${m.name}/latest/model \\\n  -d '${compact}'`),
      h('p', { class: 'hint' }, 'curl, Open Inference Protocol:'),
      h('pre', {}, `curl -s${auth} ${origin}/v2/models/${m.name}/infer \\\n  -d '${sampleV2(m)}'`),
      h('p', { class: 'hint' }, 'Python:'),
      h('pre', {}, `import requests\nr = requests.post("${origin}/models/${m.name}/latest/model",\n` +
        `                  json=${compact}${m.visibility === 'private' ? ',\n                  headers={"Authorization": "Bearer " + TOKEN}' : ''})\nprint(r.json())`));
  };

  const act = async (method, path, body) => {
    try {
      const r = await api(method, path, body);
      if (r && r.name) model = r;
      actionErr.show(null);
      versionErr.show(null);
      draw();
    } catch (e) { actionErr.show(e); versionErr.show(e); }
  };

  const refresh = async () => {
    try {
      model = await api('GET', base);
      pageErr.show(null);
      draw();
    } catch (e) { pageErr.show(e); }
  };

  try {
    tiers = (await api('GET', '/api/tiers')).tiers;
    tiers.forEach((t) => tierSelect.append(h('option', { value: t.name }, `${t.name} — ${t.gpus} GPU, ${fmt(t.cpu_request)} CPU, ${fmt(t.memory_request_gib)} GiB`)));
    if (!tiers.length) capacity.textContent = 'No hardware tiers yet: an admin defines them.';
    await loadTokens();
  } catch (e) { pageErr.show(e); }
  await refresh();
  showCapacity();
  stops.push(every(2000, refresh));
  return () => stops.forEach((s) => s());
}
