// The dashboard: a single page on the controller's public REST API. Routes live in the URL's
// hash (#/models, #/models/NAME, #/deploy, #/admin/...); the token lives in sessionStorage.
import { api, ApiError, clearToken, setToken, token } from './api.js';
import { clear, errorBox, h } from './dom.js';
import { renderModels } from './models.js';
import { renderModel } from './model.js';
import { renderDeploy } from './deploy.js';
import { renderTiers, renderQuotas, renderNodes, renderUsers } from './admin.js';

const main = document.getElementById('main');
let me = null;
let stopView = null;

function signIn() {
  document.getElementById('top').hidden = true;
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true,
    'aria-describedby': 'token-hint' });
  const err = errorBox();
  const form = h('form', { class: 'panel', style: 'max-width:520px;margin:60px auto' },
    h('h1', {}, 'Sign in to modelhost'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { class: 'hint', id: 'token-hint' },
      'Your personal token (mh_...): `modelhost serve` prints the first admin\'s; an admin creates yours.'),
    err,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    try {
      me = await api('GET', '/api/me');
      route();
    } catch (ex) {
      clearToken();
      err.show(ex instanceof ApiError && ex.status === 401 ? new Error(`Sign-in refused: ${ex.message}`) : ex);
    }
  });
  clear(main).append(form);
  input.focus();
}

const routes = [
  [/^#\/models\/([^/]+)$/, (m) => renderModel(main, decodeURIComponent(m[1]), me)],
  [/^#\/models$/, () => renderModels(main, me)],
  [/^#\/deploy$/, () => renderDeploy(main, me)],
  [/^#\/admin\/tiers$/, () => renderTiers(main, me)],
  [/^#\/admin\/quotas$/, () => renderQuotas(main, me)],
  [/^#\/admin\/nodes$/, () => renderNodes(main, me)],
  [/^#\/admin\/users$/, () => renderUsers(main, me)],
];

async function route() {
  if (stopView) { stopView(); stopView = null; }
  if (!token()) return signIn();
  if (!me) {
    try { me = await api('GET', '/api/me'); } catch { clearToken(); return signIn(); }
  }
  document.getElementById('top').hidden = false;
  document.querySelector('.admin-only').hidden = me.role !== 'admin';
  document.getElementById('who').textContent = `${me.name} (${me.role})`;
  const hash = location.hash || '#/models';
  for (const a of document.querySelectorAll('.top nav a')) {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, render] of routes) {
    const m = hash.match(re);
    if (m) {
      clear(main);
      stopView = await render(m) || null;
      main.focus({ preventScroll: true });
      return;
    }
  }
  location.hash = '#/models';
}

document.getElementById('signout').addEventListener('click', () => {
  clearToken();
  me = null;
  location.hash = '#/models';
  route();
});
window.addEventListener('hashchange', route);
route();
