// Checks and completes the options of watch() and watchMany() once, so a mistake is a clear TypeError at the call
// site instead of a silent misbehaviour minutes later.
import { baseUrlOf } from './urls.js';
import { builtInTransports, defaultTransportOrder } from './transports/index.js';

// Node (and runtimes that pass for it) can set headers on an upgrade; browsers, their workers and unknown runtimes
// get the token in the query instead, which every WebSocket implementation can send.
const canSetUpgradeHeaders = typeof globalThis.process?.versions?.node === 'string';
// A page or worker has an origin to default to; 'null' (file:, sandboxed frames) is not one.
const pageOrigin = typeof globalThis.location?.origin === 'string' && globalThis.location.origin !== 'null' ? globalThis.location.origin : undefined;

/** Timing and limit options: [name, default, minimum, allowInfinity]. */
const NUMBERS = [
  ['initialBackoffMs', 500, 1, false],
  ['maxBackoffMs', 30_000, 1, false],
  ['maxReconnectAttempts', Infinity, 1, true],
  ['fallbackAfter', 3, 1, false],
  ['upgradeProbeMs', 30_000, 1, false],
  ['pollIntervalMs', 5_000, 1, false],
  ['historyPageSize', 100, 1, false],
  ['pingIntervalMs', 8_000, 1, false],
  ['pongTimeoutMs', 4_000, 1, false],
  ['streamSilenceMs', 25_000, 1, false],
  ['connectTimeoutMs', 10_000, 1, false],
];

const KNOWN = new Set(['baseUrl', 'apiUrl', 'token', 'tokenInQuery', 'onUpdate', 'onReset', 'onStatus', 'onError', 'stopOnTerminal',
  'transports', 'WebSocket', 'fetch', 'timers', 'random', ...NUMBERS.map(([name]) => name)]);

/**
 * @param {any} options
 * @param {'one' | 'many'} mode
 * @returns {import('./session.js').SessionConfig}
 */
export function normalizeOptions(options, mode) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('options must be an object with at least onUpdate (and baseUrl outside a browser).');
  }
  for (const name of Object.keys(options)) {
    if (name === 'after' && mode === 'one') continue;
    if (name === 'after') throw new TypeError('watchMany takes `after` per workflow: watchMany([{ workflowId, after }], options) or add(id, { after }).');
    // A misspelt option would otherwise be ignored in silence (e.g. initialBackoff for initialBackoffMs).
    if (!KNOWN.has(name)) throw new TypeError(`Unknown option "${name}". Known options: ${[...KNOWN].join(', ')}.`);
  }
  if (typeof options.onUpdate !== 'function') throw new TypeError('options.onUpdate must be a function.');
  for (const name of ['onReset', 'onStatus', 'onError']) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`options.${name} must be a function.`);
  }

  const base = options.baseUrl ?? pageOrigin;
  if (base === undefined) throw new TypeError('options.baseUrl is required outside a browser (e.g. "https://vapora.example.com").');
  const baseUrl = baseUrlOf(base, 'options.baseUrl');
  const apiUrl = options.apiUrl === undefined ? baseUrl : baseUrlOf(options.apiUrl, 'options.apiUrl');

  const token = options.token ?? null;
  if (token !== null && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('options.token must be a string or a function returning one (or a promise of one).');
  }

  const config = {
    baseUrl,
    apiUrl,
    token,
    tokenInQuery: options.tokenInQuery ?? !canSetUpgradeHeaders,
    onUpdate: options.onUpdate,
    onReset: options.onReset ?? null,
    onStatus: options.onStatus ?? null,
    onError: options.onError ?? null,
    stopOnTerminal: options.stopOnTerminal ?? true,
    WebSocket: options.WebSocket ?? globalThis.WebSocket,
    fetch: options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined),
    timers: options.timers ?? { setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis) },
    random: options.random ?? Math.random,
    transports: [],
  };
  for (const name of ['tokenInQuery', 'stopOnTerminal']) {
    if (typeof config[name] !== 'boolean') throw new TypeError(`options.${name} must be true or false.`);
  }
  for (const [name, fallback, min, allowInfinity] of NUMBERS) {
    const value = options[name] ?? fallback;
    const valid = (allowInfinity && value === Infinity) || (Number.isSafeInteger(value) && value >= min);
    if (!valid) throw new RangeError(`options.${name} must be an integer of ${min} or more${allowInfinity ? ' (or Infinity)' : ''} (got ${value}).`);
    config[name] = value;
  }
  if (config.historyPageSize > 1000) throw new RangeError('options.historyPageSize must be at most 1000 (the API\'s limit).');
  if (config.maxBackoffMs < config.initialBackoffMs) throw new RangeError('options.maxBackoffMs must not be below options.initialBackoffMs.');
  if (config.WebSocket !== undefined && typeof config.WebSocket !== 'function') throw new TypeError('options.WebSocket must be a WebSocket class (e.g. the ws package\'s default export).');
  if (config.fetch !== undefined && typeof config.fetch !== 'function') throw new TypeError('options.fetch must be a fetch function.');
  if (typeof config.timers?.setTimeout !== 'function' || typeof config.timers?.clearTimeout !== 'function') {
    throw new TypeError('options.timers must have setTimeout and clearTimeout.');
  }

  config.transports = transportsOf(options.transports, config);
  return config;
}

// Names pick built-in transports; objects with { name, supported, open } plug in another one (see transports/index.js).
function transportsOf(requested, config) {
  const list = requested ?? defaultTransportOrder;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`options.transports must be a non-empty array of ${Object.keys(builtInTransports).join(', ')} (in order of preference).`);
  const transports = list.map((entry) => {
    if (typeof entry === 'string') {
      const transport = builtInTransports[entry];
      if (!transport) throw new TypeError(`Unknown transport "${entry}": use ${Object.keys(builtInTransports).join(', ')}.`);
      return transport;
    }
    if (entry && typeof entry.name === 'string' && typeof entry.open === 'function' && typeof entry.supported === 'function') return entry;
    throw new TypeError('options.transports entries are transport names or objects with name, supported(config) and open(link).');
  });
  const usable = transports.filter((transport) => transport.supported(config));
  if (usable.length === 0) {
    throw new TypeError(`None of the transports ${transports.map((t) => t.name).join(', ')} can run here: `
      + 'websocket needs a WebSocket class (Node 20 has none: pass options.WebSocket, e.g. the ws package), sse and polling need fetch.');
  }
  return usable;
}
