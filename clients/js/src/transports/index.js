// The transports, in the order a session tries them. A transport moves frames and nothing else: positions,
// de-duplication, backoff, fallback and give-up decisions live in the session (session.js), once for all of them.
//
// A transport is { name, supported(config), open(link) }. open() starts one connection and returns
// { subscribe(id, after), unsubscribe(id), close() }; it must not throw for network problems (report them with
// link.close). The link it gets:
//
//   link.mode            'one' (one workflow on its own stream) or 'many' (a multiplexed connection)
//   link.config          the normalized options (baseUrl, apiUrl, WebSocket, fetch, timers, timings, tokenInQuery…)
//   link.token           the bearer token for this connection, or null
//   link.workflowIds()   the workflows to serve, read when the connection opens (later ones come via subscribe)
//   link.position(id)    the last version delivered for id (resume after it), or null for "current state first"
//   link.open()          the connection is established (status becomes "live")
//   link.confirmed()     the server answered (a frame, a pong, a successful poll): it works and accepted the token
//   link.update(value)   a WorkflowUpdate (or the state, first): delivered if it is the next version, else dropped
//   link.workflowError(id, code, message)   the server refused one workflow (not_found, forbidden, unavailable…)
//   link.notice(code, message, cause?)      a non-fatal problem worth reporting to onError
//   link.freshToken()                       a promise of a fresh token from the token function (in-band refresh)
//   link.tokenRefreshed()                   the gateway accepted a token sent in-band (counted in stats)
//   link.close({ code, reason, error, giveUp, errorCode, status, retryAfterMs })   the connection ended, once
//
// subscribe/unsubscribe may be called at any time; before the connection opens they may be ignored, because
// workflowIds() is read when it does. A transport that cannot add workflows to an open connection (e.g. an SSE
// stream whose URL lists them) may reconnect itself with the new set.
//
// The built-in ladder: websocket, then sse (Server-Sent Events over fetch: GET /api/workflows/{id}/events for 'one',
// /events?workflows=… for 'many'), then polling (the API's REST reads).
import { pollingTransport } from './polling.js';
import { sseTransport } from './sse.js';
import { webSocketTransport } from './websocket.js';

export const builtInTransports = Object.freeze({
  websocket: webSocketTransport,
  sse: sseTransport,
  polling: pollingTransport,
});

export const defaultTransportOrder = Object.freeze(['websocket', 'sse', 'polling']);
