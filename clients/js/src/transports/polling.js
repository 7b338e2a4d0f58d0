// Polling transport: the API's REST reads, for when no streaming transport gets through (a proxy that breaks
// WebSockets, a gateway outage). Without a position it reads the state first (GET /api/workflows/{id}), then
// GET /api/workflows/{id}/history?after=N in pages, every pollIntervalMs. Works for one workflow and for many.
import { httpUrl } from '../urls.js';

export const pollingTransport = Object.freeze({
  name: 'polling',
  supported: (config) => typeof config.fetch === 'function',
  open: (link) => new PollingConnection(link),
});

/** An HTTP answer that ends this connection: give up (401) or retry later (5xx, 429, timeouts). */
class PollFailure extends Error {
  constructor(message, info) {
    super(message);
    this.info = info;
  }
}

const PER_WORKFLOW = { 400: 'bad_request', 403: 'forbidden', 404: 'not_found' };

class PollingConnection {
  constructor(link) {
    this.link = link;
    this.config = link.config;
    this.timers = link.config.timers;
    this.done = false;
    this.opened = false;
    this.running = false;
    this.controller = null;
    this.timer = null;
    this.kicked = false;
    this.kick();
  }

  subscribe() {
    // A new workflow: poll now rather than at the next tick.
    this.kick();
  }

  /** Starts a round now unless one is running or about to. */
  kick() {
    if (this.running || this.kicked || this.done) return;
    this.kicked = true;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    queueMicrotask(() => {
      this.kicked = false;
      this.round();
    });
  }

  unsubscribe() {
    // Nothing to do: the next round reads the session's workflows.
  }

  close() {
    this.done = true;
    this.timers.clearTimeout(this.timer);
    this.controller?.abort();
  }

  async round() {
    if (this.running || this.done) return;
    this.timer = null;
    this.running = true;
    try {
      for (const id of this.link.workflowIds()) {
        if (this.done) return;
        await this.poll(id);
      }
      if (this.done) return;
      if (!this.opened) {
        this.opened = true;
        this.link.open();
        this.link.confirmed();
      }
      this.timer = this.timers.setTimeout(() => this.round(), this.config.pollIntervalMs);
    } catch (error) {
      if (this.done) return;
      this.done = true;
      this.link.close(error instanceof PollFailure ? { ...error.info, error } : { error });
    } finally {
      this.running = false;
    }
  }

  async poll(id) {
    let after = this.link.position(id);
    if (after === null) {
      const state = await this.get(id, `api/workflows/${encodeURIComponent(id)}`);
      if (state === undefined || this.done) return;
      this.link.update(state);
      after = this.link.position(id);
      if (after === null) return;
    }
    const pageSize = this.config.historyPageSize;
    while (!this.done) {
      const updates = await this.get(id, `api/workflows/${encodeURIComponent(id)}/history?after=${after}&limit=${pageSize}`);
      if (updates === undefined || this.done) return;
      if (!Array.isArray(updates)) throw new PollFailure('the history of a workflow was not a JSON array', {});
      for (const update of updates) this.link.update(update);
      // A full page means there may be more right now.
      const next = this.link.position(id);
      if (updates.length < pageSize || next === null || next <= after) return;
      after = next;
    }
  }

  /** GET as JSON; undefined when the server refused this workflow (reported to the session). */
  async get(id, path) {
    const headers = { Accept: 'application/json' };
    if (this.link.token) headers.Authorization = `Bearer ${this.link.token}`;
    const controller = new AbortController();
    this.controller = controller;
    const timeout = this.timers.setTimeout(() => controller.abort(), this.config.connectTimeoutMs);
    try {
      let response;
      try {
        response = await this.config.fetch(httpUrl(this.config.apiUrl, path).href, { headers, signal: controller.signal });
      } catch (error) {
        throw new PollFailure(controller.signal.aborted && !this.done
          ? `no answer from the API within ${this.config.connectTimeoutMs} ms` : `the API is unreachable: ${error?.message ?? error}`, {});
      }
      if (response.ok) {
        try {
          return await response.json();
        } catch (error) {
          throw new PollFailure(`the API's answer was not JSON: ${error?.message ?? error}`, {});
        }
      }
      const detail = await problemDetail(response);
      const code = PER_WORKFLOW[response.status];
      if (code) {
        this.link.workflowError(id, code, detail);
        return undefined;
      }
      if (response.status === 401) {
        throw new PollFailure(`401 from the API: ${detail}`, { giveUp: true, errorCode: 'unauthorized', status: 401, reason: detail });
      }
      throw new PollFailure(`${response.status} from the API: ${detail}`, { status: response.status, retryAfterMs: retryAfterMs(response) });
    } finally {
      this.timers.clearTimeout(timeout);
      if (this.controller === controller) this.controller = null;
    }
  }
}

async function problemDetail(response) {
  try {
    const problem = await response.json();
    return problem?.detail || problem?.title || response.statusText || String(response.status);
  } catch {
    return response.statusText || String(response.status);
  }
}

function retryAfterMs(response) {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 300_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), 300_000);
}
