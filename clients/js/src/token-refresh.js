// In-band token refresh on an open WebSocket: ahead of expiry (at 80% of the token's lifetime, read from its iat and
// exp, but at least 5 s before expiry, or half-way for a token under 10 s; or when the gateway sends token_expiring,
// whichever comes first) the token function gives a fresh token, sent as {"type":"token","token":"…"}. The gateway
// answers token_accepted or an error frame (unauthorized, unavailable); a failure is reported and tried again after
// 1, 2, 4… s (at most 30). If none succeeds, the gateway closes with 4401 at expiry and the session reconnects with a
// fresh token: the fallback.

/** Longest single wait: setTimeout's range is about 24.8 days, and tokens may live longer. */
const LONGEST_WAIT_MS = 86_400_000;

/** The least time before expiry a refresh is planned for (half the lifetime for a token under twice that). */
const MIN_LEAD_MS = 5000;

/**
 * When to refresh `token` (ms since the epoch), or null when its lifetime cannot be read (not a JWT): a fifth of the
 * lifetime before expiry, but never less than 5 s (half the lifetime for a token under 10 s). A short token's fifth is
 * not enough to absorb a stalled tab, a slow network or a clock a second off.
 */
export function refreshAtOf(token, nowMs) {
  const payload = claimsOf(token);
  if (!Number.isFinite(payload?.exp)) return null;
  const expMs = payload.exp * 1000;
  const iatMs = Number.isFinite(payload.iat) && payload.iat < payload.exp ? payload.iat * 1000 : nowMs;
  const lifetime = expMs - iatMs;
  return expMs - Math.max(lifetime / 5, Math.min(MIN_LEAD_MS, lifetime / 2));
}

/** The token's expiry (ms since the epoch), or null when it cannot be read. */
function expiryOf(token) {
  const exp = claimsOf(token)?.exp;
  return Number.isFinite(exp) ? exp * 1000 : null;
}

/** The JWT's payload, unverified (the client only plans with it; the gateway checks tokens), or null. */
function claimsOf(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(decodeBase64Url(parts[1]));
  } catch {
    return null;
  }
}

function decodeBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

export class TokenRefresh {
  /**
   * @param {{ token: string, timers: any, now?: () => number, fresh: () => Promise<string | null>, send: (frame: object) => void,
   *   accepted: () => void, failed: (message: string, cause?: unknown) => void }} options
   */
  constructor({ token, timers, now = Date.now, fresh, send, accepted, failed }) {
    Object.assign(this, { current: token, timers, now, fresh, send, accepted, failed });
    this.timer = null;
    this.pending = null; // the token sent and not yet answered
    this.failures = 0;
    this.stopped = false;
    this.schedule(refreshAtOf(token, now()));
  }

  /**
   * The gateway's notice: the token expires soon. A notice about an earlier expiry than the current token's was sent
   * for the token just replaced (the gateway's timer and our refresh crossed): nothing to do.
   */
  expiring(expiresAt) {
    const warned = Date.parse(expiresAt);
    const current = expiryOf(this.current);
    if (Number.isFinite(warned) && current !== null && warned < current) return;
    if (this.pending === null) this.run();
  }

  /** The gateway accepted the token sent. */
  acceptedFrame() {
    if (this.pending === null) return;
    this.current = this.pending;
    this.pending = null;
    this.failures = 0;
    this.accepted();
    this.schedule(refreshAtOf(this.current, this.now()));
  }

  /** The gateway refused the token sent (nothing changed on the connection). */
  refused(code, message) {
    if (this.pending === null) return;
    this.pending = null;
    this.retry(`the gateway refused the fresh token (${code}): ${message}`);
  }

  stop() {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
  }

  schedule(atMs) {
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || atMs === null) return;
    const delay = Math.max(0, atMs - this.now());
    this.timer = this.timers.setTimeout(() => (delay > LONGEST_WAIT_MS ? this.schedule(atMs) : this.run()), Math.min(delay, LONGEST_WAIT_MS));
  }

  retry(message, cause) {
    this.failed(message, cause);
    this.backOff();
  }

  /** The next try after 1, 2, 4… s (at most 30) since the last success. */
  backOff() {
    this.failures += 1;
    this.schedule(this.now() + Math.min(30, 2 ** (this.failures - 1)) * 1000);
  }

  async run() {
    if (this.stopped || this.pending !== null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    let token;
    try {
      token = await this.fresh();
    } catch (error) {
      if (!this.stopped) this.retry(`the token function failed: ${error?.message ?? error}`, error);
      return;
    }
    if (this.stopped) return;
    if (typeof token !== 'string' || token === '') {
      this.retry('the token function gave no token');
      return;
    }
    if (token === this.current) {
      // Nothing fresher yet (the host renews on its own cadence): sending it again changes nothing, and a token in its
      // last fifth is due at once again after each acceptance. Ask again after 1, 2, 4… s, quietly: not a failure.
      this.backOff();
      return;
    }
    this.pending = token;
    this.send({ type: 'token', token });
  }
}
