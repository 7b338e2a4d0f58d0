// The engine behind watch() and watchMany(). It owns what must survive every reconnect and transport change:
// the position (last version delivered) of each watched workflow, delivery once and in order, the transport ladder
// (websocket, then sse, then polling), backoff with jitter, give-up, and probing back up to a better transport.
// Transports only move frames; their contract is in transports/index.js.
import { backoffDelay } from './backoff.js';
import { VaporaError } from './errors.js';

const TERMINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/** Per-workflow error codes after which asking again cannot help; any other code is retried with backoff. */
const WORKFLOW_GIVE_UP_CODES = new Set(['not_found', 'forbidden', 'bad_frame', 'bad_request', 'too_many_subscriptions']);

const GIVE_UP_EXPLANATIONS = {
  unauthorized: 'no valid token (pass options.token; with a function, a token that expires is replaced)',
  forbidden: 'the token does not allow this workflow',
  not_found: 'the workflow does not exist',
  bad_request: 'the server refused the request',
  message_too_big: 'a frame was above the server\'s limit',
  unsupported_data: 'the server refused a frame',
};

/**
 * @typedef {object} SessionConfig  normalized options (options.js)
 * @typedef {{ last: number | null, attempt: number, retryTimer: unknown }} Subscription
 */

export class Session {
  /**
   * @param {'one' | 'many'} mode  one workflow on its own stream, or many over one multiplexed connection
   * @param {any} config
   * @param {Iterable<[string, number | null]>} workflows  ids with the version to resume after (null: state first)
   */
  constructor(mode, config, workflows) {
    this.mode = mode;
    this.config = config;
    /** @type {Map<string, Subscription>} */
    this.subscriptions = new Map();
    for (const [id, after] of workflows) this.subscriptions.set(id, { last: after, attempt: 0, retryTimer: null });
    this.level = 0; // index of the transport in use
    this.failuresAtLevel = 0; // connections in a row on that transport that the server never answered on
    this.attempt = 0; // reconnects in a row without a sign of life
    this.current = null;
    this.probe = null;
    this.reconnectTimer = null;
    this.probeTimer = null;
    this.stopped = false;
    /** A token the server refused before it ever answered, and why: the next connection must not use it again. */
    this.refused = null;
    this.stats = { duplicatesDropped: 0, malformedDropped: 0, reconnects: 0, tokenRefreshes: 0, resets: 0 };
    this.status = Object.freeze({ state: 'connecting', transport: config.transports[0].name });
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
  }

  /** Starts on the next microtask, so callbacks may already use the handle that watch() returns. */
  start() {
    queueMicrotask(() => {
      if (this.stopped) return;
      this.callback(this.config.onStatus, this.status);
      this.connect();
    });
  }

  /** @param {string} id @param {number | null} after */
  add(id, after) {
    if (this.stopped) return;
    const known = this.subscriptions.get(id);
    if (known) {
      // Already watched: only move forward (the caller may already show a later version).
      if (after !== null && (known.last === null || after > known.last)) known.last = after;
      return;
    }
    this.subscriptions.set(id, { last: after, attempt: 0, retryTimer: null });
    for (const link of this.links()) link.handle?.subscribe(id, after);
  }

  /** @param {string} id */
  remove(id) {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return false;
    this.config.timers.clearTimeout(subscription.retryTimer);
    this.subscriptions.delete(id);
    if (!this.stopped) for (const link of this.links()) link.handle?.unsubscribe(id);
    return true;
  }

  /** @param {'closed' | 'finished' | 'failed'} reason @param {VaporaError} [error] */
  stop(reason, error) {
    if (this.stopped) return;
    this.stopped = true;
    this.config.timers.clearTimeout(this.reconnectTimer);
    this.config.timers.clearTimeout(this.probeTimer);
    for (const subscription of this.subscriptions.values()) this.config.timers.clearTimeout(subscription.retryTimer);
    for (const link of this.links()) this.drop(link);
    this.current = null;
    this.probe = null;
    if (error) this.callback(this.config.onError, error);
    this.setStatus({ state: 'stopped', transport: null, reason, ...(error ? { error } : {}) });
    this.resolveClosed({ reason, error: error ?? null });
  }

  async connect() {
    this.reconnectTimer = null;
    if (this.stopped) return;
    let token;
    try {
      token = await this.resolveToken();
    } catch (error) {
      // The caller's token function failed: not the transport's fault, so no fallback; retry with backoff.
      if (!this.stopped) this.retry({ error: asError(error, 'the token function failed') }, false);
      return;
    }
    if (this.stopped || this.current) return;
    if (this.refused !== null) {
      if (token === this.refused.token) {
        this.stop('failed', this.refused.error);
        return;
      }
      this.refused = null;
    }
    this.open(this.level, token, 'current');
  }

  /** Opens transport `index` for a connection in `role`; every event it reports is ignored once the link is dropped. */
  open(index, token, role) {
    const transport = this.config.transports[index];
    const link = { transport, index, role, token, opened: false, confirmed: false, done: false, handle: null };
    if (role === 'current') this.current = link; else this.probe = link;
    const live = () => !this.stopped && !link.done && (link === this.current || link === this.probe);
    /** The view of the session a transport gets (its contract: transports/index.js). */
    const context = {
      mode: this.mode,
      config: this.config,
      token,
      workflowIds: () => [...this.subscriptions.keys()],
      position: (id) => this.subscriptions.get(id)?.last ?? null,
      open: () => { if (live()) this.onOpen(link); },
      confirmed: () => { if (live()) this.onConfirmed(link); },
      update: (update) => { if (live()) this.onUpdate(link, update); },
      workflowError: (id, code, message) => { if (live()) this.onWorkflowError(link, id, code, message); },
      notice: (code, message, cause) => {
        if (live()) this.callback(this.config.onError, new VaporaError(code, message, { transport: transport.name, ...(cause ? { cause } : {}) }));
      },
      freshToken: () => this.resolveToken(),
      tokenRefreshed: () => { if (live()) this.stats.tokenRefreshes += 1; },
      close: (info) => {
        if (!live()) return;
        link.done = true;
        this.onClose(link, info ?? {});
      },
    };
    try {
      link.handle = transport.open(context);
    } catch (error) {
      context.close({ error: asError(error, `the ${transport.name} transport could not start`) });
    }
  }

  onOpen(link) {
    link.opened = true;
    if (link.role !== 'current') return;
    this.setStatus({ state: 'live', transport: link.transport.name });
    this.scheduleProbe();
  }

  /** The server answered on this connection (a frame, a pong, a successful poll): it works, and it is authorized. */
  onConfirmed(link) {
    if (link.confirmed) return;
    link.confirmed = true;
    if (link.role === 'probe') {
      this.promote(link);
      return;
    }
    this.attempt = 0;
    this.failuresAtLevel = 0;
  }

  onUpdate(link, update) {
    this.onConfirmed(link);
    if (!isUpdate(update)) {
      this.stats.malformedDropped += 1;
      return;
    }
    const subscription = this.subscriptions.get(update.workflow_id);
    if (!subscription) return; // removed meanwhile, or not ours
    // A reset is the new start whatever came before (its version may be lower: the store was restored): the gateway
    // could not continue gap-free, so the caller gets the current state and is told (onReset), not a gap.
    if (update.reset === true) {
      subscription.last = update.version;
      subscription.attempt = 0;
      this.stats.resets += 1;
      this.callback(this.config.onReset, update);
      this.callback(this.config.onUpdate, update);
      return;
    }
    if (subscription.last !== null && update.version <= subscription.last) {
      // Resumes and a second transport overlap on purpose: the version decides, so each is delivered once.
      this.stats.duplicatesDropped += 1;
      return;
    }
    subscription.last = update.version;
    subscription.attempt = 0;
    this.callback(this.config.onUpdate, update);
    // Nothing can follow a terminal status (the API refuses it with 409): holding a connection open would only cost.
    if (this.config.stopOnTerminal && TERMINAL_STATUSES.has(update.status) && this.subscriptions.get(update.workflow_id) === subscription) {
      if (this.mode === 'one') this.stop('finished');
      else this.remove(update.workflow_id);
    }
  }

  onWorkflowError(link, id, code, message) {
    this.onConfirmed(link);
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    if (WORKFLOW_GIVE_UP_CODES.has(code)) {
      const error = new VaporaError(code, `${id}: ${message || GIVE_UP_EXPLANATIONS[code] || code}`, { workflowId: id, transport: link.transport.name });
      if (this.mode === 'one') {
        this.stop('failed', error);
      } else {
        this.remove(id);
        this.callback(this.config.onError, error);
      }
      return;
    }
    if (this.mode === 'one') {
      // The stream cannot serve its only workflow right now: reconnect like after a drop.
      this.drop(link);
      this.onClose(link, { error: new VaporaError(code, message || code, { workflowId: id, transport: link.transport.name }) });
      return;
    }
    // One workflow of many is unavailable (e.g. its history cannot be read): ask again for it alone, with backoff.
    subscription.attempt += 1;
    const delay = this.backoff(subscription.attempt);
    this.config.timers.clearTimeout(subscription.retryTimer);
    subscription.retryTimer = this.config.timers.setTimeout(() => {
      subscription.retryTimer = null;
      if (this.stopped || this.subscriptions.get(id) !== subscription) return;
      for (const current of this.links()) current.handle?.subscribe(id, subscription.last);
    }, delay);
  }

  onClose(link, info) {
    if (link.role === 'probe') {
      this.probe = null;
      // That transport does not work from here (yet): try the next better one, or wait for the next round.
      if (link.index + 1 < this.level) this.runProbe(link.index + 1); else this.scheduleProbe();
      return;
    }
    this.current = null;
    this.cancelProbe();
    if (info.giveUp) {
      // A token that worked has expired (the gateway closes with 4401 at exp): a token function gives a fresh one.
      // One refused before the server ever answered was bad, or only too old by the time it arrived (a page that
      // loaded slowly with a short-lived token): one more try, but only with another token (connect() checks).
      const renewable = info.errorCode === 'unauthorized' && typeof this.config.token === 'function';
      if (!renewable) {
        this.stop('failed', giveUpError(link, info));
        return;
      }
      if (!link.confirmed) {
        this.refused = { token: link.token, error: giveUpError(link, info) };
        this.retry(info, false);
        return;
      }
      this.attempt = 0;
    }
    // A connection the server never answered on counts against its transport, also when it did open: some proxies
    // let the upgrade through and then cut or starve the socket.
    this.retry(info, !link.confirmed);
  }

  /** Schedules the next connection after a failed or lost one. */
  retry(info, unanswered) {
    const transports = this.config.transports;
    if (unanswered) {
      this.failuresAtLevel += 1;
      if (this.failuresAtLevel >= this.config.fallbackAfter && transports.length > 1) {
        this.failuresAtLevel = 0;
        this.level = (this.level + 1) % transports.length;
        if (this.level !== 0) {
          // The next transport may work where this one cannot (a proxy that refuses upgrades): try it at once.
          this.setStatus({ state: 'reconnecting', transport: transports[this.level].name, attempt: this.attempt, delayMs: 0, ...closeFields(info) });
          this.reconnectTimer = this.config.timers.setTimeout(() => this.connect(), 0);
          return;
        }
        // Every transport failed: start over from the best one, after the backoff below.
      }
    }
    this.attempt += 1;
    if (this.attempt > this.config.maxReconnectAttempts) {
      const cause = info.error ?? (info.code ? new Error(`closed with ${info.code}`) : undefined);
      this.stop('failed', new VaporaError('reconnect_limit',
        `Gave up after ${this.config.maxReconnectAttempts} reconnect attempts in a row without reaching the server (options.maxReconnectAttempts).`,
        { transport: transports[this.level].name, closeCode: info.code ?? null, cause }));
      return;
    }
    const delayMs = Math.max(this.backoff(this.attempt), info.retryAfterMs ?? 0);
    this.stats.reconnects += 1;
    this.setStatus({ state: 'reconnecting', transport: transports[this.level].name, attempt: this.attempt, delayMs, ...closeFields(info) });
    this.reconnectTimer = this.config.timers.setTimeout(() => this.connect(), delayMs);
  }

  /** While on a fallback, tries the better transports now and then; the first that answers takes over. */
  scheduleProbe() {
    if (this.level === 0 || this.stopped || this.probe || this.probeTimer !== null || !this.current?.opened) return;
    const half = this.config.upgradeProbeMs / 2;
    this.probeTimer = this.config.timers.setTimeout(() => {
      this.probeTimer = null;
      this.runProbe(0);
    }, Math.floor(half + this.config.random() * half));
  }

  async runProbe(index) {
    if (this.stopped || !this.current || this.probe || index >= this.level) return;
    let token;
    try {
      token = await this.resolveToken();
    } catch {
      this.scheduleProbe();
      return;
    }
    if (this.stopped || !this.current || this.probe || index >= this.level) return;
    this.open(index, token, 'probe');
  }

  promote(link) {
    const previous = this.current;
    this.probe = null;
    this.current = link;
    link.role = 'current';
    this.level = link.index;
    this.failuresAtLevel = 0;
    this.attempt = 0;
    if (previous) this.drop(previous);
    this.setStatus({ state: 'live', transport: link.transport.name });
    this.scheduleProbe();
  }

  cancelProbe() {
    this.config.timers.clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.probe) {
      this.drop(this.probe);
      this.probe = null;
    }
  }

  drop(link) {
    link.done = true;
    try {
      link.handle?.close();
    } catch {
      // Closing a broken connection may throw; it is gone either way.
    }
  }

  links() {
    return [this.current, this.probe].filter((link) => link !== null && !link.done);
  }

  backoff(attempt) {
    return backoffDelay(attempt, { initialMs: this.config.initialBackoffMs, maxMs: this.config.maxBackoffMs, random: this.config.random });
  }

  async resolveToken() {
    const token = this.config.token;
    if (typeof token !== 'function') return token;
    const value = await token();
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string') throw new TypeError('options.token() must return a string (or a promise of one).');
    return value;
  }

  setStatus(fields) {
    const next = Object.freeze(fields);
    const previous = this.status;
    this.status = next;
    if (next.state === 'reconnecting' || next.state !== previous.state || next.transport !== previous.transport) {
      this.callback(this.config.onStatus, next);
    }
  }

  /** Calls back into user code; an exception there must not break delivery or reconnects. */
  callback(fn, ...args) {
    if (typeof fn !== 'function') return;
    try {
      fn(...args);
    } catch (error) {
      const onError = this.config.onError;
      if (fn !== onError && typeof onError === 'function') {
        try {
          onError(new VaporaError('callback_failed', `A callback threw: ${asError(error, '').message}`, { cause: error }));
          return;
        } catch (again) {
          error = again;
        }
      }
      // Surface it like an exception in an event listener, outside the client's own state changes.
      queueMicrotask(() => { throw error; });
    }
  }
}

function isUpdate(value) {
  return value !== null && typeof value === 'object' && typeof value.workflow_id === 'string'
    && Number.isSafeInteger(value.version) && value.version >= 1;
}

function closeFields(info) {
  return {
    ...(info.code !== undefined ? { closeCode: info.code } : {}),
    ...(info.reason ? { reason: info.reason } : {}),
    ...(info.error ? { error: info.error } : {}),
  };
}

function giveUpError(link, info) {
  const code = info.errorCode ?? 'bad_request';
  const by = info.code !== undefined ? `closed the connection with ${info.code}` : `answered ${info.status ?? 'with an error'}`;
  const reason = info.reason || info.error?.message;
  return new VaporaError(code, `The server ${by}${reason ? ` (${reason})` : ''}: ${GIVE_UP_EXPLANATIONS[code] ?? code}. Not retrying.`, {
    closeCode: info.code ?? null,
    status: info.status ?? null,
    transport: link.transport.name,
    cause: info.error,
  });
}

function asError(value, fallback) {
  return value instanceof Error ? value : new Error(value === undefined ? fallback : String(value));
}
