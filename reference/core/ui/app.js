// The NovaCron dashboard of the embedded reference: plain JavaScript in the browser, on the public
// API only (the same requests any client makes), live through the event stream. The browser
// scenarios (features/system/frontend/dashboard.feature) find everything by role and label;
// contract/ui.md lists what they rely on.
import { FAULTS } from './faults.js';

const STATES = ['creating', 'provisioning', 'running', 'stopped', 'paused', 'migrating', 'deleting', 'failed'];
const SESSION_KEY = 'novacron.session';

const $ = (id) => document.getElementById(id);
const view = { page: 1, pageSize: 20, state: '', namePrefix: '', total: 0, openVm: undefined };
let stream;
let refreshTimer;
let lastSequence;

function session() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
}

async function api(path, init = {}) {
  const current = session();
  const headers = { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(current ? { authorization: `Bearer ${current.token}` } : {}) };
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401 && current) {
    endSession();
    throw new Error('the session has ended');
  }
  const body = response.status === 204 ? undefined : await response.json();
  return { status: response.status, body };
}

// ---------------------------------------------------------------------------------------------
// Signing in and out

function showSignIn() {
  $('app-view').hidden = true;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-view').hidden = false;
  closeStream();
}

async function signIn(event) {
  event.preventDefault();
  const login = $('login').value.trim();
  const password = $('password').value;
  const missingLogin = login === '' ? 'Enter your user name or email' : '';
  const missingPassword = password === '' ? 'Enter your password' : '';
  if (FAULTS.fieldErrorsMissing) {
    $('sign-in-error').textContent = missingLogin || missingPassword ? 'The form has mistakes' : '';
  } else {
    $('login-error').textContent = missingLogin;
    $('password-error').textContent = missingPassword;
    $('sign-in-error').textContent = '';
  }
  $('login').setAttribute('aria-invalid', String(missingLogin !== ''));
  $('password').setAttribute('aria-invalid', String(missingPassword !== ''));
  if (missingLogin || missingPassword) return;
  const credentials = login.includes('@') ? { email: login, password } : { username: login, password };
  const { status, body } = await api('/api/auth/login', { method: 'POST', body: JSON.stringify(credentials) });
  if (status !== 200) {
    const refused = FAULTS.signInBlamesPassword ? 'The password is not correct.' : 'The user name or password is not correct.';
    $('sign-in-error').textContent = status === 401 ? refused : `Signing in failed: ${body?.error ?? status}`;
    return;
  }
  localStorage.setItem(SESSION_KEY, JSON.stringify({ token: body.token, user: body.user.username }));
  $('password').value = '';
  await showApp();
}

async function signOut() {
  const current = session();
  if (current) await api('/api/auth/logout', { method: 'POST', body: '{}' }).catch(() => undefined);
  endSession();
}

function endSession() {
  localStorage.removeItem(SESSION_KEY);
  showSignIn();
}

// ---------------------------------------------------------------------------------------------
// The machines

async function showApp() {
  const current = session();
  if (!current) return showSignIn();
  $('sign-in-view').hidden = true;
  $('app-view').hidden = false;
  $('who').textContent = `Signed in as ${current.user}`;
  $('who').hidden = false;
  $('sign-out').hidden = false;
  openStream();
  await refresh();
}

async function refresh() {
  await Promise.all([loadOverview(), loadList(), view.openVm ? loadDetails(view.openVm) : undefined]);
}

/** At most one refresh per 50 ms however many events arrive, and never later than 50 ms after the first. */
function scheduleRefresh() {
  if (refreshTimer !== undefined) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void refresh().catch(() => undefined);
  }, 50);
}

async function loadOverview() {
  const { body } = await api('/api/v1/dashboard/summary');
  const list = $('overview');
  list.replaceChildren();
  const entries = [['Total', body.vms.total], ...STATES.map((state) => [capitalise(state), body.vms.by_state[state] ?? 0])];
  for (const [name, count] of entries) {
    const term = document.createElement('dt');
    term.textContent = name;
    const value = document.createElement('dd');
    value.textContent = String(count);
    list.append(term, value);
  }
}

async function loadList() {
  const query = new URLSearchParams({ page: String(view.page), page_size: String(view.pageSize) });
  if (view.state && !FAULTS.stateFilterIgnored) query.set('state', view.state);
  if (view.namePrefix) query.set('name_prefix', view.namePrefix);
  const { body } = await api(`/api/v1/vms?${query}`);
  view.total = body.total;
  const pages = Math.max(1, Math.ceil(body.total / view.pageSize));
  if (view.page > pages) {
    view.page = pages;
    return loadList();
  }
  const rows = body.items.map((vm) => {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = vm.name;
    open.addEventListener('click', () => void openDetails(vm.id));
    name.append(open);
    row.append(name, cell(vm.state), cell(vm.node_id ?? '-'), cell(new Date(vm.created_at).toLocaleString()));
    return row;
  });
  $('machines').replaceChildren(...rows);
  $('page-status').textContent = `Page ${view.page} of ${pages}, ${body.total} machines`;
  $('previous-page').disabled = view.page <= 1;
  $('next-page').disabled = view.page >= pages;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

async function openDetails(id) {
  view.openVm = id;
  $('list-section').hidden = true;
  $('details-section').hidden = false;
  await loadDetails(id);
}

async function loadDetails(id) {
  const [{ status, body: vm }, { body: history }] = await Promise.all([api(`/api/v1/vms/${encodeURIComponent(id)}`), api(`/api/v1/vms/${encodeURIComponent(id)}/events`)]);
  if (status === 404) return closeDetails();
  $('details-heading').textContent = vm.name;
  const details = $('details');
  details.replaceChildren();
  for (const [name, value] of [['State', vm.state], ['Node', vm.node_id ?? '-'], ['CPU shares', vm.cpu_shares], ['Memory', `${vm.memory_mb} MB`], ['Disk', `${vm.disk_gb} GB`], ['Image', vm.image]]) {
    const term = document.createElement('dt');
    term.textContent = name;
    const value_ = document.createElement('dd');
    value_.textContent = String(value);
    details.append(term, value_);
  }
  const entries = FAULTS.historyReversed ? [...history.items].reverse() : history.items;
  $('history').replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement('li');
      item.textContent = entry.from_state ? `${entry.action}: ${entry.from_state} to ${entry.to_state}` : `${entry.action}${entry.to_state ? `: ${entry.to_state}` : ''}`;
      return item;
    }),
  );
}

function closeDetails() {
  view.openVm = undefined;
  $('details-section').hidden = true;
  $('list-section').hidden = false;
  return loadList();
}

async function act(action) {
  const { status, body } = await api(`/api/v1/vms/${encodeURIComponent(view.openVm)}/${action}`, { method: 'POST', body: '{}' });
  if (status >= 400) console.warn(`${action}: ${body?.error ?? status}`);
  await loadDetails(view.openVm);
}

// ---------------------------------------------------------------------------------------------
// Live updates

function openStream() {
  if (stream || FAULTS.liveUpdatesIgnored) return;
  const current = session();
  const url = new URL('/ws/events', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', current.token);
  url.searchParams.set('topics', 'vm');
  if (lastSequence !== undefined) url.searchParams.set('since', String(lastSequence));
  const socket = new WebSocket(url);
  stream = socket;
  socket.addEventListener('message', (message) => {
    const event = JSON.parse(message.data);
    if (typeof event.sequence === 'number') lastSequence = event.sequence;
    if (event.type !== 'welcome') scheduleRefresh();
    if (FAULTS.pageErrorOnUpdate && event.type !== 'welcome') event.data.vm.id.toString();
  });
  socket.addEventListener('close', () => {
    if (stream !== socket) return;
    stream = undefined;
    if (FAULTS.signOutOneTabOnly) return;
    // The server closes the stream of a session that signed out: ask whether this one still holds.
    void api('/api/auth/me').then(
      ({ status }) => status === 200 && session() && setTimeout(openStream, 500),
      () => undefined,
    );
  });
}

function closeStream() {
  const socket = stream;
  stream = undefined;
  socket?.close();
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------

function start() {
  for (const state of STATES) $('state-filter').append(new Option(capitalise(state), state));
  $('sign-in').addEventListener('submit', (event) => void signIn(event));
  $('sign-out').addEventListener('click', () => void signOut());
  $('state-filter').addEventListener('change', () => {
    view.state = $('state-filter').value;
    view.page = 1;
    void loadList();
  });
  $('name-filter').addEventListener('input', () => {
    view.namePrefix = $('name-filter').value.trim();
    view.page = 1;
    void loadList();
  });
  $('page-size').addEventListener('change', () => {
    view.pageSize = Number($('page-size').value);
    view.page = 1;
    void loadList();
  });
  $('previous-page').addEventListener('click', () => {
    view.page -= 1;
    void loadList();
  });
  $('next-page').addEventListener('click', () => {
    view.page += FAULTS.pagingSkipsPages ? 2 : 1;
    void loadList();
  });
  $('back').addEventListener('click', () => void closeDetails());
  for (const button of document.querySelectorAll('[data-action]')) button.addEventListener('click', () => void act(button.dataset.action));
  // Another tab signed in or out: follow it.
  window.addEventListener('storage', (event) => {
    if (event.key !== SESSION_KEY || FAULTS.signOutOneTabOnly) return;
    if (event.newValue === null) showSignIn();
    else void showApp();
  });
  void (session() ? showApp() : showSignIn());
}

start();
