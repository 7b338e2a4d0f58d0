// Server-Sent Events transport: GET /api/workflows/{id}/events?after=N for one workflow, GET /events?workflows=a:7,b
// for many, read with fetch as a stream (browsers and Node 20+). Each update is an event whose data is the same JSON
// as a WebSocket frame; `workflow_error` events refuse one workflow of many; a `close` event ends the stream with
// the gateway's close code. A refusal before the stream begins is an HTTP status whose ProblemDetails carries the
// same close code (close_code). Resuming needs no Last-Event-ID: every connection's URL says where each workflow is.
import { errorCodeOf, isGiveUpCode } from '../close-codes.js';
import { EventStreamParser } from '../event-stream.js';
import { httpUrl } from '../urls.js';

export const sseTransport = Object.freeze({
  name: 'sse',
  supported: (config) => typeof config.fetch === 'function' && typeof globalThis.TextDecoder === 'function',
  open: (link) => new EventStreamConnection(link),
});

/** A close code from a refusal before the stream began: give up (as a WebSocket close would), or the transport is no good. */
const PER_WORKFLOW = new Set([4400, 4403, 4404]);

class EventStreamConnection {
  constructor(link) {
    this.link = link;
    this.config = link.config;
    this.timers = link.config.timers;
    this.done = false;
    this.opened = false;
    this.current = null; // { controller, generation } of the request being read
    this.generation = 0;
    this.silenceTimer = null;
    this.reopenQueued = false;
    this.start();
  }

  subscribe() {
    // A multiplexed stream's workflows are in its URL: open it again with the new set (once for a burst of changes).
    if (this.link.mode === 'many') this.reopenSoon();
  }

  unsubscribe() {
    if (this.link.mode === 'many') this.reopenSoon();
  }

  close() {
    if (this.done) return;
    this.done = true;
    this.timers.clearTimeout(this.silenceTimer);
    this.current?.controller.abort();
  }

  reopenSoon() {
    if (this.done || this.reopenQueued) return;
    this.reopenQueued = true;
    queueMicrotask(() => {
      this.reopenQueued = false;
      if (this.done) return;
      this.current?.controller.abort();
      this.start();
    });
  }

  start() {
    const generation = ++this.generation;
    const controller = new AbortController();
    this.current = { controller, generation };
    this.read(controller, generation).catch((error) => this.failed(generation, error));
  }

  isCurrent(generation) {
    return !this.done && this.generation === generation;
  }

  async read(controller, generation) {
    const url = this.url();
    if (url === null) {
      // Every workflow of a multiplexed watch was removed: nothing to stream until one is added.
      this.markOpen();
      return;
    }
    const headers = { Accept: 'text/event-stream' };
    // fetch can send headers, also in browsers: the token stays out of URLs and access logs.
    if (this.link.token) headers.Authorization = `Bearer ${this.link.token}`;
    const connectTimer = this.timers.setTimeout(() => controller.abort(), this.config.connectTimeoutMs);
    let response;
    try {
      response = await this.config.fetch(url.href, { headers, signal: controller.signal, cache: 'no-store' });
    } catch (error) {
      if (!this.isCurrent(generation)) return;
      throw controller.signal.aborted ? new Error(`no answer to the event stream within ${this.config.connectTimeoutMs} ms`) : error;
    } finally {
      this.timers.clearTimeout(connectTimer);
    }
    if (!this.isCurrent(generation)) {
      controller.abort();
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
      await this.refused(response, generation);
      return;
    }

    this.markOpen();
    this.link.confirmed(); // the gateway admitted the stream: it works, and it accepted the token
    this.armSilence(generation, controller);
    const parser = new EventStreamParser((event) => this.event(event, generation));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      while (this.isCurrent(generation)) {
        const { value, done } = await reader.read();
        if (done) break;
        this.armSilence(generation, controller);
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock?.();
    }
    if (this.isCurrent(generation)) throw new Error('the event stream ended without a close event');
  }

  markOpen() {
    if (this.opened) return;
    this.opened = true;
    this.link.open();
  }

  event(event, generation) {
    if (!this.isCurrent(generation)) return;
    let payload;
    try {
      payload = JSON.parse(event.data);
    } catch {
      if (event.type === 'message') this.link.update(null); // counted as malformed
      return;
    }
    switch (event.type) {
      case 'message':
        this.link.update(payload);
        break;
      case 'workflow_error':
        if (typeof payload?.workflow_id === 'string') this.link.workflowError(payload.workflow_id, String(payload.code), String(payload.message ?? ''));
        break;
      case 'close': {
        const code = Number(payload?.code);
        this.end({ code, reason: String(payload?.reason ?? ''), giveUp: isGiveUpCode(code), ...(isGiveUpCode(code) ? { errorCode: errorCodeOf(code) } : {}) });
        break;
      }
      default:
        break; // an event this version does not know
    }
  }

  /** A refusal before the stream began: the ProblemDetails' close_code decides, like a WebSocket close code. */
  async refused(response, generation) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // Not a gateway's answer (a proxy's error page, an API without this route): the transport is no good here.
    }
    if (!this.isCurrent(generation)) return;
    const code = Number.isInteger(problem?.close_code) ? problem.close_code : undefined;
    const reason = problem?.detail || problem?.title || `${response.status} ${response.statusText}`;
    const retryAfterMs = retryAfterOf(response);
    if (code === undefined || (!isGiveUpCode(code)) || (this.link.mode === 'many' && PER_WORKFLOW.has(code))) {
      // Retry (503: draining, at the limit; after Retry-After). Without a close code, or a request a multiplexed stream
      // cannot make (too many workflows), it counts as a connection the gateway never answered: the next transport may do.
      this.end({ status: response.status, reason, error: new Error(`the event stream was refused: ${response.status} ${reason}`), retryAfterMs });
      return;
    }
    this.end({ code, status: response.status, reason, giveUp: true, errorCode: errorCodeOf(code) });
  }

  failed(generation, error) {
    if (!this.isCurrent(generation)) return;
    this.end({ error: error instanceof Error ? error : new Error(String(error)) });
  }

  end(info) {
    if (this.done) return;
    this.close();
    this.link.close(info);
  }

  /** A stream silent (not even a heartbeat) for streamSilenceMs is dead, whatever the network says. */
  armSilence(generation, controller) {
    this.timers.clearTimeout(this.silenceTimer);
    const limit = this.config.streamSilenceMs;
    this.silenceTimer = this.timers.setTimeout(() => {
      if (!this.isCurrent(generation)) return;
      controller.abort();
      this.end({ error: new Error(`the event stream was silent for ${limit} ms`) });
    }, limit);
  }

  url() {
    if (this.link.mode === 'one') {
      const [id] = this.link.workflowIds();
      const url = httpUrl(this.config.baseUrl, `api/workflows/${encodeURIComponent(id)}/events`);
      const after = this.link.position(id);
      if (after !== null) url.searchParams.set('after', String(after));
      return url;
    }
    const ids = this.link.workflowIds();
    if (ids.length === 0) return null;
    const entries = ids.map((id) => {
      const after = this.link.position(id);
      return after === null ? id : `${id}:${after}`;
    });
    const url = httpUrl(this.config.baseUrl, 'events');
    // Ids are [A-Za-z0-9_-]: the list needs no escaping beyond what URLSearchParams does to ':' and ','.
    url.searchParams.set('workflows', entries.join(','));
    return url;
  }
}

function retryAfterOf(response) {
  const value = response.headers.get('retry-after');
  const seconds = Number(value);
  return value && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 300_000) : undefined;
}
