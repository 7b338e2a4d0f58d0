// Workflow ids and the URLs of the gateway (sockets, later SSE) and the API (polling).

/** 1–64 characters of A-Z a-z 0-9 _ - (libs/contracts/WorkflowIds.cs): anything else is refused before a request. */
const WORKFLOW_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** @param {unknown} id */
export function checkWorkflowId(id) {
  if (typeof id !== 'string' || !WORKFLOW_ID.test(id)) {
    throw new TypeError(`A workflow id is 1-64 characters of A-Z, a-z, 0-9, '_' or '-' (got ${JSON.stringify(id)}).`);
  }
  return id;
}

/** @param {unknown} after  undefined/null (start with the current state) or a version of 0 or more */
export function checkAfter(after, name = 'after') {
  if (after === undefined || after === null) return null;
  if (!Number.isSafeInteger(after) || /** @type {number} */ (after) < 0) {
    throw new TypeError(`${name} must be a version: an integer of 0 or more (got ${JSON.stringify(after)}).`);
  }
  return /** @type {number} */ (after);
}

/**
 * A base URL as a URL whose path ends in '/', so relative paths keep a prefix (https://host/vapora/).
 * @param {string | { href: string } | undefined} value
 * @param {string} name
 */
export function baseUrlOf(value, name) {
  let url;
  try {
    url = new URL(typeof value === 'object' && value !== null && typeof value.href === 'string' ? value.href : String(value));
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) or ws(s) URL (got ${JSON.stringify(String(value))}).`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new TypeError(`${name} must be an http(s) or ws(s) URL (got ${url.protocol}).`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** An http(s) URL for `path` under `base` (ws → http, wss → https). */
export function httpUrl(base, path) {
  const url = new URL(path, base);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  return url;
}

/** A ws(s) URL for `path` under `base` (http → ws, https → wss). */
export function socketUrl(base, path) {
  const url = new URL(path, base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url;
}
