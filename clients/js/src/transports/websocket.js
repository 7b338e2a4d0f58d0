// WebSocket transport: GET /api/workflows/{id}/updates for one workflow (close codes speak for it), /ws for many
// (subscribe/unsubscribe frames; per-workflow errors arrive as error frames and the socket stays open).
import { errorCodeOf, isGiveUpCode } from '../close-codes.js';
import { socketUrl } from '../urls.js';
import { TokenRefresh } from '../token-refresh.js';

const OPEN = 1; // WebSocket.OPEN, spelled out: implementations differ in where they put the constant

export const webSocketTransport = Object.freeze({
  name: 'websocket',
  supported: (config) => typeof config.WebSocket === 'function',
  open: (link) => new WebSocketConnection(link),
});

class WebSocketConnection {
  constructor(link) {
    this.link = link;
    this.config = link.config;
    this.timers = link.config.timers;
    this.done = false;
    this.lastError = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.refresh = null;

    const url = link.mode === 'one' ? streamUrl(link) : socketUrl(this.config.baseUrl, 'ws');
    const token = link.token;
    if (token && this.config.tokenInQuery) url.searchParams.set('access_token', token);
    // Browsers cannot set headers on an upgrade (hence access_token, which the gateway accepts there only).
    // Elsewhere the header keeps the token out of URLs and access logs; the ws package and Node's own WebSocket
    // (undici) both take { headers } as the second argument.
    this.socket = token && !this.config.tokenInQuery
      ? new this.config.WebSocket(url.href, { headers: { Authorization: `Bearer ${token}` } })
      : new this.config.WebSocket(url.href);
    this.connectTimer = this.timers.setTimeout(
      () => this.fail(new Error(`no WebSocket connection within ${this.config.connectTimeoutMs} ms`)), this.config.connectTimeoutMs);
    this.socket.onopen = () => this.opened();
    this.socket.onmessage = (event) => this.received(event.data);
    // Handlers stay attached after close(): some implementations still emit an error then, and an unheard 'error'
    // event would throw in Node.
    this.socket.onerror = (event) => { this.lastError = errorOf(event); };
    this.socket.onclose = (event) => this.closed(event.code, event.reason);
  }

  subscribe(id, after) {
    if (this.link.mode === 'many') this.send({ type: 'subscribe', workflow_id: id, ...(after !== null ? { after } : {}) });
  }

  unsubscribe(id) {
    if (this.link.mode === 'many') this.send({ type: 'unsubscribe', workflow_id: id });
  }

  close() {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    try {
      this.socket.close(1000);
    } catch {
      // Already closing.
    }
  }

  opened() {
    if (this.done) return;
    this.timers.clearTimeout(this.connectTimer);
    this.link.open();
    if (this.link.mode === 'many') {
      // Resume every workflow after the last version delivered: the gateway sends exactly what is missing.
      for (const id of this.link.workflowIds()) this.subscribe(id, this.link.position(id));
    }
    // A ping at once: its pong says the gateway accepted us (it closes with 4401 instead) even when no update is due.
    this.ping();
    // With a token function the token is kept fresh on this socket, so an expiry costs no reconnect.
    if (typeof this.config.token === 'function' && typeof this.link.token === 'string') {
      this.refresh = new TokenRefresh({
        token: this.link.token,
        timers: this.timers,
        fresh: () => this.link.freshToken(),
        send: (frame) => this.send(frame),
        accepted: () => this.link.tokenRefreshed(),
        failed: (message, cause) => this.link.notice('token_refresh_failed', message, cause),
      });
    }
  }

  /** The token frames of both socket kinds; true when `frame` was one. */
  tokenFrame(frame) {
    switch (frame?.type) {
      case 'token_expiring':
        this.refresh?.expiring(frame.expires_at);
        return true;
      case 'token_accepted':
        this.refresh?.acceptedFrame();
        return true;
      case 'error':
        if (typeof frame.workflow_id === 'string' || !this.refresh?.pending || !['unauthorized', 'unavailable'].includes(frame.code)) return false;
        this.refresh.refused(String(frame.code), String(frame.message ?? ''));
        return true;
      default:
        return false;
    }
  }

  received(data) {
    if (this.done) return;
    this.timers.clearTimeout(this.pongTimer);
    this.pongTimer = null;
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
    } catch {
      this.link.update(null); // counted as malformed
      return;
    }
    if (this.tokenFrame(frame)) {
      this.link.confirmed();
      return;
    }
    if (this.link.mode === 'one') {
      if (frame?.type === 'pong') this.link.confirmed(); else this.link.update(frame);
      return;
    }
    switch (frame?.type) {
      case 'update':
        this.link.update(frame.data);
        break;
      case 'error':
        if (typeof frame.workflow_id === 'string') this.link.workflowError(frame.workflow_id, String(frame.code), String(frame.message ?? ''));
        else this.link.notice(String(frame.code), `The gateway refused a frame: ${frame.message ?? ''}`);
        break;
      default:
        // subscribed, unsubscribed, pong: the gateway is there and accepted us.
        this.link.confirmed();
        break;
    }
  }

  closed(code, reason) {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    const giveUp = isGiveUpCode(code);
    this.link.close({ code, reason, error: this.lastError ?? undefined, giveUp, ...(giveUp ? { errorCode: errorCodeOf(code) } : {}) });
  }

  /** The connection is dead although the socket has not said so (no open in time, no pong): drop it and resume. */
  fail(error) {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    try {
      this.socket.close(4000, 'client timeout');
    } catch {
      // Already closing.
    }
    this.link.close({ error });
  }

  ping() {
    if (this.done) return;
    this.send({ type: 'ping' });
    if (this.pongTimer === null) this.pongTimer = this.timers.setTimeout(
      () => this.fail(new Error(`no answer from the gateway within ${this.config.pongTimeoutMs} ms`)), this.config.pongTimeoutMs);
    this.pingTimer = this.timers.setTimeout(() => this.ping(), this.config.pingIntervalMs);
  }

  send(frame) {
    if (!this.done && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  stopTimers() {
    this.refresh?.stop();
    this.timers.clearTimeout(this.connectTimer);
    this.timers.clearTimeout(this.pingTimer);
    this.timers.clearTimeout(this.pongTimer);
  }
}

function streamUrl(link) {
  const [id] = link.workflowIds();
  const url = socketUrl(link.config.baseUrl, `api/workflows/${encodeURIComponent(id)}/updates`);
  const after = link.position(id);
  if (after !== null) url.searchParams.set('after', String(after));
  return url;
}

function errorOf(event) {
  if (event?.error instanceof Error) return event.error;
  return new Error(event?.message || 'WebSocket error');
}
