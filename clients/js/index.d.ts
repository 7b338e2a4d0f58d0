// Type declarations of @vapora/client (hand-written; test/types compiles a consumer against them).

/**
 * A workflow's status (README "Wire contract"). A newer API may add statuses: the client delivers one it does not know
 * as it is (any other string), and only completed, failed and cancelled are terminal.
 */
export type WorkflowStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | (string & {});

/** One accepted change of a workflow: version n is its state after its n-th change. */
export interface WorkflowUpdate {
  workflow_id: string;
  /** Starts at 1 and grows by exactly 1 per accepted update. */
  version: number;
  status: WorkflowStatus;
  current_step: number;
  /** 0 when unknown. */
  total_steps: number;
  message: string | null;
  /** ISO 8601 UTC, ending in Z. */
  timestamp: string;
  /** Present on the first delivery of a watch without `after`: the workflow's state. */
  name?: string;
  /** Present on the first delivery of a watch without `after`: the workflow's state. */
  created_at?: string;
  /** Present (true) on a state the watch takes as its new start because it could not continue gap-free (see onReset). */
  reset?: true;
}

/** The built-in transports: WebSocket, Server-Sent Events (over fetch), polling the API's REST reads. */
export type TransportName = 'websocket' | 'sse' | 'polling';

/** Where a watch is. `transport` says which transport carries it ('polling' means degraded: no stream gets through). */
export type WatchStatus =
  | { readonly state: 'connecting'; readonly transport: string }
  | { readonly state: 'live'; readonly transport: string }
  | {
    readonly state: 'reconnecting';
    readonly transport: string;
    /** Reconnects in a row without a sign of life from the server. */
    readonly attempt: number;
    /** How long until the next attempt (0: trying the next transport at once). */
    readonly delayMs: number;
    readonly closeCode?: number;
    readonly reason?: string;
    readonly error?: Error;
  }
  | { readonly state: 'stopped'; readonly transport: null; readonly reason: StopReason; readonly error?: VaporaError };

/** 'closed': close() was called; 'finished': the workflow reached a terminal status; 'failed': gave up (see error). */
export type StopReason = 'closed' | 'finished' | 'failed';

export interface StopInfo {
  reason: StopReason;
  error: VaporaError | null;
}

/** A URL object (typed structurally, so no DOM or Node typings are needed). */
export interface UrlLike {
  readonly href: string;
}

export interface WatchOptions {
  /** The gateways, usually the load balancer: http(s):// or ws(s)://, with an optional path prefix. Default in a browser (and its workers): the page's origin. */
  baseUrl?: string | UrlLike;
  /** The API, for polling, when it is not behind the same origin as the gateways. Default: baseUrl. */
  apiUrl?: string | UrlLike;
  /**
   * A bearer token, or a function returning one (or a promise of one), called before every connection and, on a
   * WebSocket, ahead of the token's expiry (at 80% of its lifetime or at the gateway's token_expiring notice): the
   * fresh token is sent in-band on the open socket, so an expiry costs no reconnect (stats.tokenRefreshes). A failed
   * refresh is reported to onError ('token_refresh_failed') and tried again; if none succeeds the gateway closes
   * with 4401 at expiry and the watch reconnects with a fresh token and resumes (as event streams and polling always do).
   */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>) | null;
  /**
   * Send the token on WebSocket upgrades as the access_token query parameter (the only way in browsers) instead of
   * the Authorization header. Default: false in Node (and runtimes compatible with it), true elsewhere. Server-Sent
   * Events and polling use fetch, which always sends the Authorization header.
   */
  tokenInQuery?: boolean;
  /** Called for every version, once, in order. */
  onUpdate: (update: WorkflowUpdate) => void;
  /**
   * Called (before onUpdate with the same object) when the gateway could not continue gap-free (the history after
   * the last version was compacted, or the watch was ahead of the store, as after a restore) and sent the current
   * state marked `reset: true`: the watch goes on from its version, which may be lower than the last one delivered.
   */
  onReset?: (state: WorkflowUpdate) => void;
  /** Called when the status changes (and for every reconnect attempt). */
  onStatus?: (status: WatchStatus) => void;
  /** Called when the watch (or, for watchMany, one workflow: error.workflowId) gives up, or a callback threw. */
  onError?: (error: VaporaError) => void;
  /** Stop (watch) or drop the workflow (watchMany) after a terminal status: nothing can follow it. Default true. */
  stopOnTerminal?: boolean;
  /** Transports in order of preference: names of built-in ones or custom transport objects. Default ['websocket', 'sse', 'polling']. */
  transports?: ReadonlyArray<TransportName | Transport>;
  /** A WebSocket class; needed in Node 20, which has none (e.g. `import WebSocket from 'ws'`). Default: globalThis.WebSocket. */
  WebSocket?: unknown;
  /** A fetch function, for Server-Sent Events and polling. Default: globalThis.fetch. (Typed loosely so no DOM or Node typings are needed.) */
  fetch?: (url: string, init: any) => Promise<any>;
  /** First reconnect delay; doubles per attempt, with jitter (each wait is between half and all of it). Default 500. */
  initialBackoffMs?: number;
  /** Longest reconnect delay. Default 30000. */
  maxBackoffMs?: number;
  /** Reconnects in a row without a sign of life before giving up (code 'reconnect_limit'). Default Infinity. */
  maxReconnectAttempts?: number;
  /** Connections in a row that the server never answers on (refused upgrades, sockets cut at once) before trying the next transport. Default 3. */
  fallbackAfter?: number;
  /** On a fallback transport, how often (with jitter: half to all of it) to try the better ones again. Default 30000. */
  upgradeProbeMs?: number;
  /** Polling interval. Default 5000. */
  pollIntervalMs?: number;
  /** History page size when polling (1–1000). Default 100. */
  historyPageSize?: number;
  /** Application ping interval on WebSockets. Default 8000. */
  pingIntervalMs?: number;
  /**
   * A socket whose ping is not answered within this time is dropped and resumed. Default 4000: a silent gateway (a
   * link that carries no bytes and closes nothing) is left within pingIntervalMs + pongTimeoutMs, 12 s.
   */
  pongTimeoutMs?: number;
  /** An event stream silent (not even a heartbeat: the gateway sends one every 15 s) for this long is dropped and resumed. Default 25000. */
  streamSilenceMs?: number;
  /** Longest wait for a socket to open, an event stream to begin or a poll to answer. Default 10000. */
  connectTimeoutMs?: number;
  /** Timers (a fake clock in tests). Default: globalThis.setTimeout / clearTimeout. */
  timers?: { setTimeout: (callback: () => void, ms: number) => unknown; clearTimeout: (handle: any) => void };
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface SingleWatchOptions extends WatchOptions {
  /** Resume after this version (0: every version from 1). Default: the current state first. */
  after?: number;
}

export interface WatchStats {
  /** Versions received again (overlapping resumes or transports) and dropped. */
  duplicatesDropped: number;
  /** Frames that were not updates and were dropped. */
  malformedDropped: number;
  reconnects: number;
  /** Tokens refreshed in-band on open sockets (no reconnect). */
  tokenRefreshes: number;
  /** States marked reset that the watch took as its new start (onReset). */
  resets: number;
}

export interface WorkflowWatch {
  readonly workflowId: string;
  /** The last version delivered (a reconnect resumes after it), or null before the first. */
  readonly lastVersion: number | null;
  readonly status: WatchStatus;
  readonly stats: WatchStats;
  /** Resolves when the watch has stopped. */
  readonly closed: Promise<StopInfo>;
  close(): Promise<StopInfo>;
}

export interface MultiWatch {
  /** Starts watching a workflow (its current state first, or after version `after`). */
  add(workflowId: string, options?: { after?: number }): this;
  /** Stops watching a workflow; true when it was watched. */
  remove(workflowId: string): boolean;
  has(workflowId: string): boolean;
  /** The watched workflows; finished and refused ones leave the set. */
  readonly workflowIds: string[];
  lastVersion(workflowId: string): number | null;
  readonly status: WatchStatus;
  readonly stats: WatchStats;
  readonly closed: Promise<StopInfo>;
  close(): Promise<StopInfo>;
}

/** Watches one workflow: every version once, in order, across reconnects and transport changes. */
export function watch(workflowId: string, options: SingleWatchOptions): WorkflowWatch;

/** Watches many workflows over one connection (the gateway's /ws socket). */
export function watchMany(
  workflows: Iterable<string | { workflowId: string; after?: number }>,
  options: WatchOptions,
): MultiWatch;

/** Exponential backoff with equal jitter: attempt n waits between half and all of min(max, initial × 2^(n-1)) ms. */
export function backoffDelay(attempt: number, options?: { initialMs?: number; maxMs?: number; random?: () => number }): number;

/** The gateway's close codes (README "Close codes"). */
export const CloseCodes: Readonly<{
  normal: 1000;
  goingAway: 1001;
  unsupportedData: 1003;
  abnormal: 1006;
  messageTooBig: 1009;
  internalError: 1011;
  serviceRestart: 1012;
  tryAgainLater: 1013;
  slowConsumer: 4000;
  catchUpFailed: 4001;
  catchUpBusy: 4002;
  badRequest: 4400;
  unauthorized: 4401;
  forbidden: 4403;
  notFound: 4404;
}>;

/** True for the close codes after which reconnecting cannot help (4400–4499, 1003, 1008, 1009). */
export function isGiveUpCode(code: number): boolean;

export type VaporaErrorCode =
  | 'not_found'
  | 'forbidden'
  | 'unauthorized'
  | 'bad_request'
  | 'bad_frame'
  | 'message_too_big'
  | 'unsupported_data'
  | 'too_many_subscriptions'
  | 'reconnect_limit'
  | 'callback_failed'
  | 'token_refresh_failed'
  | (string & {});

export class VaporaError extends Error {
  constructor(code: string, message: string, details?: {
    workflowId?: string | null; closeCode?: number | null; status?: number | null; transport?: string | null; cause?: unknown;
  });
  readonly name: 'VaporaError';
  readonly code: VaporaErrorCode;
  /** The workflow concerned, for watchMany's per-workflow errors. */
  readonly workflowId: string | null;
  /** The WebSocket close code that ended the watch, if any. */
  readonly closeCode: number | null;
  /** The HTTP status that ended the watch, if any. */
  readonly status: number | null;
  readonly transport: string | null;
}

/** What a transport gets from the session (see src/transports/index.js). */
export interface TransportLink {
  readonly mode: 'one' | 'many';
  readonly config: Readonly<Record<string, unknown>>;
  readonly token: string | null;
  workflowIds(): string[];
  position(workflowId: string): number | null;
  open(): void;
  confirmed(): void;
  update(update: unknown): void;
  workflowError(workflowId: string, code: string, message: string): void;
  notice(code: string, message: string): void;
  close(info?: {
    code?: number; reason?: string; error?: Error; giveUp?: boolean; errorCode?: string; status?: number; retryAfterMs?: number;
  }): void;
}

export interface TransportConnection {
  subscribe(workflowId: string, after: number | null): void;
  unsubscribe(workflowId: string): void;
  close(): void;
}

/** A transport plugged into options.transports. */
export interface Transport {
  readonly name: string;
  supported(config: Readonly<Record<string, unknown>>): boolean;
  open(link: TransportLink): TransportConnection;
}
