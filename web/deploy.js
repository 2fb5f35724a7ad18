// The deploy wizard, the product's two steps: (1) name, environment, model file (uploaded with a
// progress bar; the engine's refusal shown as is); (2) tier, instances and precision, with what
// each tier gives and what the quota allows; then the instances are followed until ready.
import { api, upload } from './api.js';
import { badge, clear, errorBox, every, fmt, h } from './dom.js';
import { precisionField } from './precision.js';

export async function renderDeploy(main, me) {
  const stops = [];
  const steps = h('ol', { class: 'steps', 'aria-label': 'Steps' });
  const body = h('div', { class: 'panel' });
  main.append(h('h1', {}, 'Deploy a model'), steps, body);
  const setStep = (n) => {
    clear(steps).append(...['1. Model file', '2. Hardware', '3. Ready'].map((s, i) =>
      h('li', { class: i + 1 === n ? 'current' : undefined, 'aria-current': i + 1 === n ? 'step' : undefined,
        style: 'list-style:none' }, s)));
  };

  // Step 1.
  setStep(1);
  const nameInput = h('input', { type: 'text', id: 'name', required: true, pattern: '[A-Za-z0-9._\\-]{1,64}',
    'aria-describedby': 'name-hint' });
  const descInput = h('input', { type: 'text', id: 'description' });
  const envSelect = h('select', { id: 'environment' });
  const fileInput = h('input', { type: 'file', id: 'file', accept: '.onnx', required: true });
  const progress = h('progress', { max: 1, value: 0, hidden: true, id: 'progress', 'aria-label': 'Upload progress' });
  const progressText = h('span', { class: 'hint', 'aria-live': 'polite' });
  const err = errorBox();
  const next = h('button', { type: 'submit' }, 'Upload and continue');
  const form1 = h('form', {},
    h('label', { for: 'name' }, 'Name'), nameInput,
    h('p', { class: 'hint', id: 'name-hint' }, '1 to 64 of A-Z a-z 0-9 . _ - ; it becomes part of the URL.'),
    h('label', { for: 'description' }, 'Description'), descInput,
    h('label', { for: 'environment' }, 'Environment'), envSelect,
    h('label', { for: 'file' }, 'Model file (ONNX)'), fileInput,
    progress, progressText, err, h('div', { class: 'row' }, next));
  try {
    for (const e of (await api('GET', '/api/environments')).environments) {
      envSelect.append(h('option', { value: e.name }, `${e.name} — ${e.description}`));
    }
  } catch (e) { err.show(e); }
  body.append(form1);
  form1.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!fileInput.files.length) { err.show(new Error('Choose the model file.')); return; }
    next.disabled = true;
    progress.hidden = false;
    const q = new URLSearchParams({ name: nameInput.value.trim(), description: descInput.value, environment: envSelect.value });
    try {
      const m = await upload(`/api/models?${q}`, fileInput.files[0], (f) => {
        progress.value = f;
        progressText.textContent = f < 1 ? `${Math.round(f * 100)}% uploaded` : 'Uploaded; the engine is checking the model...';
      });
      err.show(null);
      step2(m);
    } catch (ex) {
      err.show(ex);
      progress.hidden = true;
      progressText.textContent = '';
    } finally { next.disabled = false; }
  });

  // Step 2.
  const step2 = async (m) => {
    setStep(2);
    const tiers = (await api('GET', '/api/tiers')).tiers;
    const quota = await api('GET', `/api/users/${encodeURIComponent(me.name)}/quota`);
    const tierSelect = h('select', { id: 'tier' }, tiers.map((t) => h('option', { value: t.name, selected: t.default || undefined },
      `${t.name} — ${fmt(t.cpu_request)} CPU, ${fmt(t.memory_request_gib)} GiB, ${t.gpus} GPU${t.gpus === 1 ? '' : 's'}${t.gpu_type ? ` ${t.gpu_type}` : ''} (pool ${t.node_pool})`)));
    const instances = h('input', { type: 'number', id: 'instances', min: 1, max: 32, value: 1 });
    const allows = h('p', { class: 'hint', id: 'allows', 'aria-live': 'polite' });
    const precision = precisionField();
    const show = () => {
      const t = tiers.find((x) => x.name === tierSelect.value);
      precision.forTier(t);
      if (!t) { allows.textContent = 'No hardware tiers yet: ask an admin to define one.'; return; }
      const u = quota.used;
      const byGpu = t.gpus ? Math.floor((quota.max_gpus - u.gpus) / t.gpus) : Infinity;
      const most = Math.max(0, Math.min(quota.max_instances - u.instances, byGpu, t.max_instances));
      allows.textContent = `Each instance gets ${fmt(t.cpu_request)} CPU cores (up to ${fmt(t.cpu_limit)}), ` +
        `${fmt(t.memory_request_gib)} GiB of memory (up to ${fmt(t.memory_limit_gib)}) and ${t.gpus} GPU(s) of its own. ` +
        `Your quota allows ${most} more instance(s) of this tier (GPUs ${u.gpus}/${quota.max_gpus}, instances ${u.instances}/${quota.max_instances} in use).`;
    };
    tierSelect.addEventListener('change', show);
    const err2 = errorBox();
    const deployBtn = h('button', { type: 'submit' }, 'Deploy');
    const form2 = h('form', {},
      h('p', {}, 'Model API ', h('strong', {}, m.name), ' created with version 1.'),
      h('label', { for: 'tier' }, 'Hardware tier'), tierSelect,
      h('label', { for: 'instances' }, 'Instances'), instances, allows, ...precision.elements,
      err2, h('div', { class: 'row' }, deployBtn));
    clear(body).append(form2);
    show();
    form2.addEventListener('submit', async (e) => {
      e.preventDefault();
      deployBtn.disabled = true;
      try {
        await api('PUT', `/api/models/${encodeURIComponent(m.name)}/deployment`,
          { tier: tierSelect.value, instances: Number(instances.value), precision: precision.select.value });
        err2.show(null);
        step3(m.name);
      } catch (ex) { err2.show(ex); } finally { deployBtn.disabled = false; }
    });
  };

  // Step 3: follow until ready.
  const step3 = (name) => {
    setStep(3);
    const status = h('div', { id: 'follow', 'aria-live': 'polite' });
    clear(body).append(status);
    const t0 = performance.now();
    stops.push(every(500, async () => {
      const m = await api('GET', `/api/models/${encodeURIComponent(name)}`);
      clear(status).append(h('p', {}, badge(m.status), ` ${m.instances_ready} of ${m.instances_desired} instances ready`),
        h('ul', {}, m.instances.map((i) => h('li', {}, `${i.id}: ${i.state}${i.node ? ` on ${i.node}` : ''}${i.gpus.length ? ` GPU ${i.gpus.join(',')}` : ''}${i.reason ? ` — ${i.reason.split('\n')[0]}` : ''}`))));
      if (m.status === 'running') {
        status.append(h('p', { class: 'ok', id: 'ready-msg' }, `Ready in ${((performance.now() - t0) / 1000).toFixed(1)} s. `,
          h('a', { href: `#/models/${encodeURIComponent(name)}` }, 'Open it, call it, share it')));
        stops.forEach((s) => s());
      }
    }));
  };
  return () => stops.forEach((s) => s());
}
