// Vapora live progress page: a list of recent workflows and a detail view with live history.
// Plain modules, no build step. Everything shown comes from the REST API (initial data) and @vapora/client (every
// later version, once, in order), which the gateway serves from clients/js: one connection for every watched
// workflow, WebSocket first, then Server-Sent Events, then polling; reconnects, resume and fallback live there.
import { watchMany } from './vendor/vapora-client/index.js';

const TRANSPORT_LABELS = { websocket: 'WebSocket', sse: 'Server-Sent Events' };
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const LIST_REFRESH_MS = 10000;
const els = {
  connection: document.getElementById('connection'),
  error: document.getElementById('error'),
  listView: document.getElementById('list-view'),
  list: document.getElementById('workflows'),
  empty: document.getElementById('empty'),
  filter: document.getElementById('status-filter'),
  detailView: document.getElementById('detail-view'),
  detailTitle: document.getElementById('detail-title'),
  summary: document.getElementById('detail-summary'),
  history: document.querySelector('#history tbody'),
  template: document.getElementById('row-template'),
};

const workflows = new Map(); // id -> latest state {workflow_id, version, status, current_step, total_steps, message, timestamp, name}
let detailId = null;
const ERROR_SOURCES = ['list', 'detail', 'watch'];
const errors = new Map(); // source -> the problem shown for it in the error box
let config;
let live;

// A log of the latest indicator states, the waits scheduled before each reconnect (and a count of list loads), for
// tests and for anyone debugging the page from the console. Bounded: a page left open for days through many
// reconnects must not grow it forever.
const STATES_KEPT = 50;
window.__vapora = { states: [], transports: [], waits: [], resets: [], listRefreshes: 0 };

async function main() {
  config = await loadConfig();
  showStatus({ state: 'connecting', transport: null });
  live = watchMany([], {
    baseUrl: config.streamBase,
    apiUrl: config.apiBase,
    // A function, so a token that expires is replaced: in-band on the open socket ahead of expiry (no reconnect), or
    // at a reconnect. Whoever embeds the page keeps sessionStorage 'vapora.token' fresh; the page reads it each time.
    token: config.token === null ? null : currentToken,
    onUpdate: applyUpdate,
    onReset: applyReset,
    onStatus: showStatus,
    onError: showWatchError,
  });
  els.filter.addEventListener('change', () => refreshList());
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && detailId) location.hash = '#/';
  });
  await refreshList();
  setInterval(refreshList, LIST_REFRESH_MS);
  await route();
}

/** Watches a workflow from the version the page already shows; nothing follows a terminal status. */
function watchFrom(state) {
  if (!TERMINAL.has(state.status)) live.add(state.workflow_id, { after: state.version });
}

async function loadConfig() {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    // Kept for this tab only, and taken out of the address bar and its history entry before anything else runs.
    sessionStorage.setItem('vapora.token', fromUrl);
    params.delete('token');
    const query = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  }
  const fromServer = await fetch('config.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  const token = fromUrl ?? sessionStorage.getItem('vapora.token') ?? fromServer.accessToken ?? null;
  const apiBase = (fromServer.apiBaseUrl || location.origin).replace(/\/$/, '');
  const streamBase = (fromServer.socketBaseUrl || location.origin).replace(/\/$/, '');
  return { apiBase, streamBase, token };
}

/** The freshest token: what the embedding host last put in sessionStorage, else the one the page started with. */
function currentToken() {
  return sessionStorage.getItem('vapora.token') ?? config.token;
}

async function api(path) {
  const headers = { Accept: 'application/json' };
  const token = config.token === null ? null : currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(config.apiBase + path, { headers });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const error = new Error(problem.detail || problem.title || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

async function refreshList() {
  const status = els.filter.value;
  let page;
  try {
    page = await api(`/api/workflows?limit=50${status ? `&status=${status}` : ''}`);
    window.__vapora.listRefreshes += 1;
    hideError('list');
  } catch (error) {
    showError('list', `Could not load workflows: ${error.message}`);
    return;
  }
  const shown = new Set();
  for (const state of page.items) {
    shown.add(state.workflow_id);
    remember(state);
    // The detail view's watch goes on from its own history read: moving it to the list's version (a list read can
    // overtake the socket by a few milliseconds) would make the client skip the frames between, and its history
    // needs every version.
    if (state.workflow_id !== detailId) watchFrom(workflows.get(state.workflow_id));
  }
  // Rows follow the newest-first order of the API.
  const rows = page.items.map((s) => rowFor(workflows.get(s.workflow_id)));
  els.list.replaceChildren(...rows);
  els.empty.hidden = rows.length > 0;
  for (const id of [...workflows.keys()]) {
    if (!shown.has(id) && id !== detailId) {
      live.remove(id);
      workflows.delete(id);
    }
  }
}

/** Keeps the newest version of a workflow (a list refresh may be older than what the socket delivered). */
function remember(state) {
  const known = workflows.get(state.workflow_id);
  if (!known || state.version > known.version) {
    workflows.set(state.workflow_id, { ...known, ...state });
  }
}

function applyUpdate(update) {
  // Every version goes into the detail view's history, also one that a list refresh reported first.
  if (detailId === update.workflow_id) insertHistory(update);
  const known = workflows.get(update.workflow_id);
  if (known && update.version <= known.version) return;
  const state = { ...known, ...update };
  workflows.set(update.workflow_id, state);
  const row = els.list.querySelector(`[data-id="${CSS.escape(update.workflow_id)}"]`);
  if (row) fillRow(row, state);
  if (detailId === update.workflow_id) renderSummary(state);
}

/**
 * The gateway could not continue a workflow gap-free (its history was compacted, or the store was restored to an
 * earlier version) and sent its current state marked reset: that state replaces what the page shows, also when its
 * version is lower, and history rows after it are no longer true. onUpdate follows with the same state.
 */
function applyReset(state) {
  const known = workflows.get(state.workflow_id);
  workflows.set(state.workflow_id, { ...known, ...state });
  window.__vapora.resets.push(state.workflow_id);
  if (window.__vapora.resets.length > STATES_KEPT) window.__vapora.resets.shift();
  const row = els.list.querySelector(`[data-id="${CSS.escape(state.workflow_id)}"]`);
  if (row) fillRow(row, workflows.get(state.workflow_id));
  if (detailId === state.workflow_id) {
    for (const old of [...els.history.rows]) if (Number(old.dataset.version) >= state.version) old.remove();
    renderSummary(workflows.get(state.workflow_id));
    insertHistory(state);
  }
}

function rowFor(state) {
  const item = els.template.content.firstElementChild.cloneNode(true);
  item.dataset.id = state.workflow_id;
  fillRow(item, state);
  return item;
}

function fillRow(item, state) {
  const link = item.querySelector('.workflow-link');
  link.href = `#/workflows/${encodeURIComponent(state.workflow_id)}`;
  item.querySelector('.name').textContent = state.name ?? state.workflow_id;
  fillStatus(item, state);
  const message = item.querySelector('.message');
  message.textContent = state.message ?? '';
  const updated = item.querySelector('.updated');
  updated.dateTime = state.timestamp;
  updated.textContent = formatTime(state.timestamp);
  item.dataset.version = state.version;
}

function fillStatus(root, state) {
  const badge = root.querySelector('.badge');
  badge.textContent = state.status;
  badge.dataset.status = state.status;
  const bar = root.querySelector('.progress');
  const total = state.total_steps || 0;
  const done = state.status === 'completed' && total === 0 ? 1 : state.current_step;
  bar.setAttribute('aria-valuemax', String(total || 1));
  bar.setAttribute('aria-valuenow', String(total ? state.current_step : done));
  bar.setAttribute('aria-valuetext', total ? `${state.current_step} of ${total} steps, ${state.status}` : state.status);
  bar.setAttribute('aria-label', `Progress of ${state.name ?? state.workflow_id}`);
  bar.dataset.status = state.status;
  bar.querySelector('.fill').style.width = `${total ? Math.round((100 * state.current_step) / total) : done ? 100 : 0}%`;
  const steps = root.querySelector('.steps');
  if (steps) steps.textContent = total ? `${state.current_step}/${total}` : '';
}

async function route() {
  const match = location.hash.match(/^#\/workflows\/([^/]+)$/);
  if (!match) {
    detailId = null;
    hideError('detail');
    els.detailView.hidden = true;
    els.listView.hidden = false;
    document.title = 'Vapora · live workflows';
    return;
  }
  const id = decodeURIComponent(match[1]);
  detailId = id;
  els.listView.hidden = true;
  els.detailView.hidden = false;
  els.detailTitle.textContent = id;
  els.summary.replaceChildren();
  els.history.replaceChildren();
  try {
    const [state, history] = await Promise.all([api(`/api/workflows/${encodeURIComponent(id)}`), loadHistory(id)]);
    if (detailId !== id) return;
    hideError('detail');
    const latest = history.length ? history[history.length - 1] : state;
    remember({ ...state, ...(latest.version >= state.version ? latest : {}) });
    const shown = workflows.get(id);
    els.detailTitle.textContent = shown.name;
    document.title = `${shown.name} · Vapora`;
    renderSummary(shown);
    for (const update of history) insertHistory(update);
    watchFrom(shown);
    els.detailTitle.focus?.();
  } catch (error) {
    showError('detail', error.status === 404 ? `Workflow ${id} not found.` : error.status === 403 ? `You may not see workflow ${id}.` : `Could not load workflow ${id}: ${error.message}`);
  }
}

async function loadHistory(id) {
  const all = [];
  for (let after = 0; ; ) {
    const page = await api(`/api/workflows/${encodeURIComponent(id)}/history?after=${after}&limit=1000`);
    all.push(...page);
    if (page.length < 1000) return all;
    after = page[page.length - 1].version;
  }
}

function renderSummary(state) {
  els.summary.replaceChildren();
  const badge = Object.assign(document.createElement('span'), { className: 'badge' });
  const bar = Object.assign(document.createElement('span'), { className: 'progress' });
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.append(Object.assign(document.createElement('span'), { className: 'fill' }));
  const steps = Object.assign(document.createElement('span'), { className: 'steps' });
  const message = Object.assign(document.createElement('p'), { className: 'message', textContent: state.message ?? '' });
  const meta = Object.assign(document.createElement('p'), { className: 'meta', textContent: `version ${state.version} · updated ${formatTime(state.timestamp)}` });
  els.summary.append(badge, bar, steps, message, meta);
  fillStatus(els.summary, state);
}

/** Adds a history row in its place (newest first), whichever of the history read and the socket came first. */
function insertHistory(update) {
  if (els.history.querySelector(`tr[data-version="${update.version}"]`)) return;
  const row = document.createElement('tr');
  row.dataset.version = update.version;
  for (const text of [update.version, formatTime(update.timestamp), update.status, `${update.current_step}/${update.total_steps}`, update.message ?? '']) {
    row.append(Object.assign(document.createElement('td'), { textContent: String(text) }));
  }
  const older = [...els.history.rows].find((r) => Number(r.dataset.version) < update.version);
  els.history.insertBefore(row, older ?? null);
}

/** The watch gave up on one workflow (error.workflowId) or on everything (a token refused). */
function showWatchError(error) {
  if (error.code === 'token_refresh_failed') {
    // The watch goes on, and tries again: only a token that cannot be renewed at all stops it, and that is shown.
    console.warn(error.message);
    return;
  }
  const id = error.workflowId;
  if (id && id === detailId) {
    showError('detail', error.code === 'not_found' ? `Workflow ${id} not found.` : error.code === 'forbidden' ? `You may not see workflow ${id}.` : error.message);
  } else if (!id && error.code !== 'callback_failed') {
    // The watch has stopped: this stays beside whatever else is shown (e.g. the list that could not load for the
    // same reason), whichever of the two arrived first.
    showError('watch', error.message);
  }
}

/** The indicator: which state, and over which transport ('polling' means no live stream gets through). */
function showStatus(status) {
  const state = status.state === 'live' && status.transport === 'polling' ? 'polling' : status.state === 'stopped' ? 'offline' : status.state;
  const text = {
    connecting: 'connecting…',
    reconnecting: 'reconnecting…',
    polling: 'polling (no live connection)',
    offline: 'offline',
    live: `live · ${TRANSPORT_LABELS[status.transport] ?? status.transport}`,
  }[state];
  const logs = [[window.__vapora.states, state], [window.__vapora.transports, status.transport]];
  if (status.state === 'reconnecting') logs.push([window.__vapora.waits, { transport: status.transport, attempt: status.attempt, delayMs: status.delayMs }]);
  for (const [list, value] of logs) {
    list.push(value);
    if (list.length > STATES_KEPT) list.splice(0, list.length - STATES_KEPT);
  }
  els.connection.dataset.state = state;
  els.connection.dataset.transport = status.transport ?? '';
  els.connection.textContent = text;
}

/** Shows one source's problem ('list', 'detail', 'watch') beside the others', in a fixed order, so what the box says
 * does not depend on which request or close arrived first. */
function showError(source, text) {
  errors.set(source, text);
  renderErrors();
}

function hideError(source) {
  errors.delete(source);
  renderErrors();
}

function renderErrors() {
  els.error.textContent = ERROR_SOURCES.map((s) => errors.get(s)).filter(Boolean).join(' ');
  els.error.hidden = errors.size === 0;
}

function formatTime(timestamp) {
  if (!timestamp) return '';
  const date = new Date(timestamp);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

main();
