// The page's connection to the gateways: one multiplexed socket (/ws) for every watched workflow.
// Reconnects with exponential backoff and jitter, resubscribes each workflow after the last version the page
// applied (so nothing is missed or shown twice), and falls back to polling the REST API when WebSockets
// cannot be used. States: connecting, live, reconnecting, offline (WebSockets failing; polling meanwhile).

const OFFLINE_AFTER_ATTEMPTS = 6;

// The gateway's close codes and whether a client resumes after them: the documented contract, the same table as
// CloseReason in libs/contracts (a browser test checks that both agree). Any other 4000–4399 code resumes.
const RESUME_BY_CODE = new Map([
  [1000, false], [1001, true], [1003, false], [1005, false], [1006, true], [1009, false], [1011, true], [1012, true],
  [1013, true], [4000, true], [4001, true], [4400, false], [4401, false], [4403, false], [4404, false],
]);

export function shouldResume(code) {
  return RESUME_BY_CODE.get(code) ?? (code >= 4000 && code < 4400);
}

export function backoffDelay(attempt, initialMs = 500, maxMs = 30000, random = Math.random) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class LiveConnection {
  /**
   * @param {object} options
   * @param {string} options.socketUrl  ws(s)://…/ws
   * @param {string|null} options.token  sent as access_token on the upgrade (browsers cannot set headers)
   * @param {(update: object) => void} options.onUpdate  called once per version, in order, per workflow
   * @param {(workflowId: string|null, code: string, message: string) => void} options.onError
   * @param {(state: string) => void} options.onState
   * @param {(workflowId: string, afterVersion: number) => Promise<object[]>} options.poll  REST fallback
   */
  constructor(options) {
    this.options = options;
    this.watched = new Map(); // workflow id -> last version applied
    this.attempt = 0;
    this.socket = null;
    this.state = 'connecting';
    this.pollTimer = null;
    this.pingTimer = null;
    this.pongDeadline = null;
    this.stopped = false;
  }

  start() {
    if (typeof WebSocket === 'undefined') {
      this.setState('offline');
      this.startPolling();
      return;
    }
    this.connect();
  }

  /** Watch a workflow from the version the page already shows (0: from the beginning). */
  watch(workflowId, afterVersion) {
    const known = this.watched.get(workflowId);
    if (known !== undefined) {
      this.watched.set(workflowId, Math.max(known, afterVersion));
      return;
    }
    this.watched.set(workflowId, afterVersion);
    this.send({ type: 'subscribe', workflow_id: workflowId, after: afterVersion });
  }

  unwatch(workflowId) {
    if (this.watched.delete(workflowId)) {
      this.send({ type: 'unsubscribe', workflow_id: workflowId });
    }
  }

  connect() {
    if (this.stopped) return;
    const url = new URL(this.options.socketUrl);
    if (this.options.token) url.searchParams.set('access_token', this.options.token);
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      this.scheduleReconnect(null);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.stopPolling();
      this.setState('live');
      // Resume every workflow after the last version applied: the gateway sends exactly what is missing.
      for (const [workflowId, version] of this.watched) {
        this.send({ type: 'subscribe', workflow_id: workflowId, after: version });
      }
      this.startPinging();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopPinging();
      // The page never ends by itself: a normal close (1000) is followed by a reconnect like a resumable one.
      if (event.code !== 1000 && !shouldResume(event.code)) {
        this.options.onError(null, 'closed', `The gateway closed the connection (${event.code}${event.reason ? ': ' + event.reason : ''}).`);
        this.setState('offline');
        this.startPolling();
        return;
      }
      this.scheduleReconnect(event.code);
    };
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    switch (frame.type) {
      case 'update':
        this.apply(frame.data);
        break;
      case 'error':
        if (frame.workflow_id && (frame.code === 'not_found' || frame.code === 'forbidden')) {
          this.watched.delete(frame.workflow_id);
        }
        this.options.onError(frame.workflow_id ?? null, frame.code, frame.message);
        break;
      case 'pong':
        clearTimeout(this.pongDeadline);
        this.pongDeadline = null;
        break;
      default:
        break;
    }
  }

  /** Applies an update once, in order; older or repeated versions are ignored. */
  apply(update) {
    const last = this.watched.get(update.workflow_id);
    if (last === undefined || update.version <= last) return;
    this.watched.set(update.workflow_id, update.version);
    this.options.onUpdate(update);
  }

  scheduleReconnect(code) {
    if (this.stopped) return;
    this.attempt += 1;
    const delay = backoffDelay(this.attempt);
    if (this.attempt >= OFFLINE_AFTER_ATTEMPTS) {
      this.setState('offline');
      this.startPolling();
    } else {
      this.setState('reconnecting');
    }
    setTimeout(() => this.connect(), delay);
  }

  startPinging() {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (this.pongDeadline) return;
      this.send({ type: 'ping' });
      // No pong in 10 s: the connection is dead even if the browser has not noticed.
      this.pongDeadline = setTimeout(() => this.socket?.close(4000, 'ping timeout'), 10000);
    }, 25000);
  }

  stopPinging() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
    this.pingTimer = null;
    this.pongDeadline = null;
  }

  startPolling() {
    if (this.pollTimer) return;
    const poll = async () => {
      for (const [workflowId, version] of this.watched) {
        try {
          for (const update of await this.options.poll(workflowId, version)) this.apply(update);
        } catch {
          // The API is unreachable too; try again at the next tick.
        }
      }
    };
    this.pollTimer = setInterval(poll, 5000);
    poll();
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  send(frame) {
    // 1 is WebSocket.OPEN (spelled out: WebSocket may not exist at all in this browser).
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.options.onState(state);
  }
}
