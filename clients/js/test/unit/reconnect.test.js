// The session's reconnect logic under a fake clock, against a scripted gateway on a real loopback socket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { backoffDelay, watchMany } from '../../src/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { poll } from '../support/poll.js';
import { afterThisTest, gateway, watching } from '../support/scripted.js';
import { update } from '../support/scripted-gateway.js';

const half = () => 0.5;

test('reconnects after delays that double per attempt with jitter, and not a moment before', { timeout: 15_000 }, async () => {
  const server = await gateway({ onSocket: (socket) => socket.close(1013, 'at the limit') });
  const clock = new FakeClock();
  const { statuses } = watching('wf-backoff', {
    baseUrl: server.baseUrl, timers: clock, random: half, initialBackoffMs: 500, maxBackoffMs: 4000, transports: ['websocket'],
  });

  const expected = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { initialMs: 500, maxMs: 4000, random: half }));
  assert.deepEqual(expected, [375, 750, 1500, 3000, 3000, 3000]);
  for (const [index, delay] of expected.entries()) {
    const attempt = index + 1;
    await poll(() => statuses.at(-1)?.state === 'reconnecting' && statuses.at(-1).attempt === attempt, 5000, `reconnect attempt ${attempt} to be scheduled`);
    assert.equal(statuses.at(-1).delayMs, delay);
    assert.equal(statuses.at(-1).closeCode, 1013);
    assert.deepEqual(clock.pending(), [delay], 'exactly one timer: the reconnect');
    clock.advance(delay - 1);
    assert.equal(server.upgrades.length, attempt, 'no reconnect before its delay');
    clock.advance(1);
    await poll(() => server.upgrades.length === attempt + 1, 5000, `connection ${attempt + 1}`);
  }
});

// 4450, 1007 and 1008: a code of the give-up range this version does not name, and what the gateway refused of ours.
for (const [code, errorCode] of [[4400, 'bad_request'], [4401, 'unauthorized'], [4403, 'forbidden'], [4404, 'not_found'], [1003, 'unsupported_data'], [1009, 'message_too_big'], [4450, 'bad_request'], [1007, 'bad_request'], [1008, 'bad_request']]) {
  test(`gives up on close code ${code} (${errorCode}) without reconnecting`, { timeout: 15_000 }, async () => {
    const server = await gateway({ onSocket: (socket) => socket.close(code, 'refused by the script') });
    const clock = new FakeClock();
    const { handle, errors } = watching('wf-give-up', { baseUrl: server.baseUrl, timers: clock });
    const stopped = await handle.closed;
    assert.equal(stopped.reason, 'failed');
    assert.equal(stopped.error.code, errorCode);
    assert.equal(stopped.error.closeCode, code);
    assert.match(stopped.error.message, /refused by the script/);
    assert.deepEqual(errors, [stopped.error], 'onError hears it once');
    assert.equal(handle.status.state, 'stopped');
    assert.deepEqual(clock.pending(), [], 'no reconnect scheduled');
    assert.equal(server.upgrades.length, 1);
  });
}

// 4123, 4500, 3000 and 1014: codes this version does not know (a newer gateway's, a proxy's) are drops to resume from.
for (const code of [1001, 1011, 1012, 1013, 4000, 4001, 4002, 1000, 4123, 4500, 3000, 1014]) {
  test(`resumes after close code ${code} from the last version delivered`, { timeout: 15_000 }, async () => {
    const server = await gateway({
      onSocket: (socket, request) => {
        if (server.upgrades.length === 1) {
          socket.send(JSON.stringify(update('wf-resume', 1)));
          socket.send(JSON.stringify(update('wf-resume', 2)));
          socket.close(code);
        }
      },
    });
    const clock = new FakeClock();
    const { updates, statuses } = watching('wf-resume', { baseUrl: server.baseUrl, timers: clock });
    await poll(() => statuses.at(-1)?.state === 'reconnecting', 5000, 'a reconnect');
    assert.deepEqual(updates.map((u) => u.version), [1, 2]);
    clock.advance(statuses.at(-1).delayMs);
    await poll(() => server.upgrades.length === 2, 5000, 'the second connection');
    assert.equal(new URL(server.upgrades[1].url, server.baseUrl).searchParams.get('after'), '2');
    assert.equal(new URL(server.upgrades[0].url, server.baseUrl).searchParams.has('after'), false, 'the first asks for the state');
  });
}

test('a watch that reaches the server resets its backoff; one that never gets an answer gives up at maxReconnectAttempts', { timeout: 15_000 }, async () => {
  const server = await gateway({ onSocket: (socket) => socket.close(1011) });
  const clock = new FakeClock();
  const { handle, statuses } = watching('wf-limit', { baseUrl: server.baseUrl, timers: clock, maxReconnectAttempts: 3, transports: ['websocket'] });
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await poll(() => statuses.at(-1)?.attempt === attempt, 5000, `attempt ${attempt}`);
    clock.advance(statuses.at(-1).delayMs);
  }
  const stopped = await handle.closed;
  assert.equal(stopped.error.code, 'reconnect_limit');
  assert.equal(server.upgrades.length, 4);
});

test('versions a resume sends again are dropped: each is delivered once, in order', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onSocket: (socket) => {
      const n = server.upgrades.length;
      // Each connection replays from 1 (a server that ignored "after"): the client must still deliver each once.
      for (let v = 1; v <= n * 3; v += 1) socket.send(JSON.stringify(update('wf-dupes', v)));
      socket.send('not json');
      socket.close(1011);
    },
  });
  const clock = new FakeClock();
  const { handle, updates, statuses } = watching('wf-dupes', { baseUrl: server.baseUrl, timers: clock });
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await poll(() => statuses.at(-1)?.state === 'reconnecting' && server.upgrades.length === attempt, 5000, `connection ${attempt} to end`);
    clock.advance(statuses.at(-1).delayMs);
  }
  await poll(() => updates.length === 12, 5000, 'versions 1..12');
  assert.deepEqual(updates.map((u) => u.version), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.equal(handle.stats.duplicatesDropped, 3 + 6 + 9);
  assert.equal(handle.stats.malformedDropped, 4);
});

test('a status this version does not know is delivered as it is and does not end the watch; a terminal one still does', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onSocket: (socket) => {
      socket.send(JSON.stringify(update('wf-new-status', 1)));
      socket.send(JSON.stringify(update('wf-new-status', 2, 'paused')));
      socket.send(JSON.stringify(update('wf-new-status', 3, 'running')));
      socket.send(JSON.stringify(update('wf-new-status', 4, 'completed')));
    },
  });
  const { handle, updates } = watching('wf-new-status', { baseUrl: server.baseUrl });
  const stopped = await handle.closed;
  assert.equal(stopped.reason, 'finished');
  assert.deepEqual(updates.map((u) => [u.version, u.status]), [[1, 'running'], [2, 'paused'], [3, 'running'], [4, 'completed']]);
  assert.equal(handle.stats.malformedDropped, 0);
});

test('a socket whose pings go unanswered is dropped and resumed', { timeout: 15_000 }, async () => {
  const server = await gateway({ onSocket: () => { /* accepts and then says nothing, like a half-open connection */ } });
  const clock = new FakeClock();
  const { statuses } = watching('wf-silent', { baseUrl: server.baseUrl, timers: clock, pongTimeoutMs: 10_000, pingIntervalMs: 25_000 });
  await poll(() => statuses.at(-1)?.state === 'live', 5000, 'the socket to open');
  clock.advance(9_999);
  assert.equal(statuses.at(-1).state, 'live');
  clock.advance(1);
  assert.equal(statuses.at(-1).state, 'reconnecting');
  assert.match(statuses.at(-1).error.message, /no answer/);
});

test('falls back to polling after sockets that never open, and probes back up to WebSocket', { timeout: 15_000 }, async () => {
  let refuseUpgrades = true;
  const history = [update('wf-ladder', 1), update('wf-ladder', 2), update('wf-ladder', 3)];
  const server = await gateway({
    onUpgrade: () => (refuseUpgrades ? 426 : undefined),
    onSocket: (socket) => socket.on('message', (data) => {
      if (JSON.parse(data).type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    }),
    onHttp: (request, response) => {
      const url = new URL(request.url, 'http://x');
      const after = Number(url.searchParams.get('after'));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(history.filter((u) => u.version > after)));
    },
  });
  const clock = new FakeClock();
  // Timers here are all on the fake clock, request timeouts included: the next poll (31 s) comes after the probe
  // (between 20 and 40 s; jitter 0.5 makes it 30 s), so moving the clock to the probe fires nothing else.
  const { updates, statuses } = watching('wf-ladder', {
    baseUrl: server.baseUrl, timers: clock, after: 0, fallbackAfter: 3, upgradeProbeMs: 40_000, pollIntervalMs: 31_000, random: half,
    transports: ['websocket', 'polling'], // the ladder's mechanics between two rungs (SSE has its own tests)
  });
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    await poll(() => statuses.at(-1)?.state === 'reconnecting' && statuses.at(-1).attempt === attempt, 5000, `socket attempt ${attempt} to fail`);
    clock.advance(statuses.at(-1).delayMs);
  }
  await poll(() => statuses.at(-1)?.transport === 'polling', 5000, 'the third failure to switch to polling');
  assert.equal(server.upgrades.length, 3);
  assert.equal(statuses.at(-1).delayMs, 0, 'the next transport is tried at once');
  clock.advance(0);
  await poll(() => statuses.at(-1)?.state === 'live' && updates.length === 3, 5000, 'polling to deliver 1..3');
  assert.equal(server.requests[0].url, '/api/workflows/wf-ladder/history?after=0&limit=100');
  assert.deepEqual(clock.pending(), [30_000, 31_000], 'the probe, then the next poll');

  refuseUpgrades = false;
  clock.advance(30_000);
  await poll(() => statuses.at(-1)?.transport === 'websocket' && statuses.at(-1).state === 'live', 5000, 'the probe to take over');
  assert.match(server.upgrades.at(-1).url, /after=3$/, 'the probe resumes after the last version delivered');
  assert.deepEqual(clock.pending(), [8_000], 'only the socket\'s ping timer: polling has stopped');
  assert.deepEqual(updates.map((u) => u.version), [1, 2, 3]);
});

test('sockets that open but are cut before the server answers also move the watch to polling', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onSocket: (socket) => socket.terminate(), // a proxy that lets the upgrade through and then drops the connection
    onHttp: (request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([update('wf-cut', 1)])),
  });
  const clock = new FakeClock();
  const { updates, statuses } = watching('wf-cut', { baseUrl: server.baseUrl, timers: clock, after: 0, random: half, transports: ['websocket', 'polling'] });
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    await poll(() => statuses.at(-1)?.state === 'reconnecting' && statuses.at(-1).attempt === attempt, 5000, `socket ${attempt} to be cut`);
    clock.advance(statuses.at(-1).delayMs);
  }
  await poll(() => statuses.at(-1)?.transport === 'polling', 5000, 'the third cut socket to switch to polling');
  assert.ok(statuses.filter((s) => s.state === 'live' && s.transport === 'websocket').length >= 1, 'the sockets did open');
  clock.advance(0);
  await poll(() => updates.length === 1, 5000, 'polling to deliver version 1');
});

test('a token function whose token is refused before the server answered (4401) is asked again, and the watch gives up only when it gives the refused token again', { timeout: 15_000 }, async () => {
  // A page that loaded slowly with a short-lived token: the first socket opens with a token already expired, while the
  // token source (the embedding host) already has a fresh one.
  const server = await gateway({ onSocket: (socket) => socket.close(4401, 'token expired') });
  const clock = new FakeClock();
  const tokens = ['stale', 'fresh', 'fresh'];
  const { handle, statuses } = watching('wf-refused', { baseUrl: server.baseUrl, timers: clock, random: half, token: () => tokens.shift() ?? 'fresh', transports: ['websocket'] });

  await poll(() => statuses.at(-1)?.state === 'reconnecting', 5000, 'a reconnect after the first 4401');
  assert.equal(statuses.at(-1).closeCode, 4401);
  clock.advance(statuses.at(-1).delayMs);
  await poll(() => server.upgrades.length === 2, 5000, 'the second connection, with the fresh token');
  assert.deepEqual(server.upgrades.map((u) => u.headers.authorization), ['Bearer stale', 'Bearer fresh']);

  // Refused too, and the source has nothing newer: that is a bad token, not an old one.
  await poll(() => statuses.at(-1)?.state === 'reconnecting' && statuses.at(-1).attempt === 2, 5000, 'a reconnect after the second 4401');
  clock.advance(statuses.at(-1).delayMs);
  const stopped = await handle.closed;
  assert.equal(stopped.reason, 'failed');
  assert.equal(stopped.error.code, 'unauthorized');
  assert.equal(server.upgrades.length, 2);
  assert.deepEqual(clock.pending(), [], 'no reconnect scheduled');
});

test('the token goes in the Authorization header outside browsers and in access_token when asked to', { timeout: 15_000 }, async () => {
  const server = await gateway({ onSocket: (socket) => socket.close(1011) });
  const header = watching('wf-token', { baseUrl: server.baseUrl, token: 'secret-1', transports: ['websocket'] });
  await poll(() => server.upgrades.length === 1, 5000, 'the first upgrade');
  await header.handle.close();
  assert.equal(server.upgrades[0].headers.authorization, 'Bearer secret-1');
  assert.doesNotMatch(server.upgrades[0].url, /access_token/);

  const query = watching('wf-token', { baseUrl: server.baseUrl, token: () => 'secret-2', tokenInQuery: true, transports: ['websocket'] });
  await poll(() => server.upgrades.length === 2, 5000, 'the second upgrade');
  await query.handle.close();
  assert.equal(new URL(server.upgrades[1].url, server.baseUrl).searchParams.get('access_token'), 'secret-2');
  assert.equal(server.upgrades[1].headers.authorization, undefined);
});

test('watchMany resubscribes every workflow after its last version on a new socket, and drops refused ones', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onSocket: (socket) => {
      const connection = server.upgrades.length;
      socket.on('message', (data) => {
        const frame = JSON.parse(data);
        if (frame.type !== 'subscribe') return;
        if (frame.workflow_id === 'wf-gone') {
          socket.send(JSON.stringify({ type: 'error', workflow_id: 'wf-gone', code: 'not_found', message: 'workflow not found' }));
          if (connection === 1) socket.close(4000, 'slow consumer');
          return;
        }
        socket.send(JSON.stringify({ type: 'subscribed', workflow_id: frame.workflow_id }));
        const from = (frame.after ?? 0) + 1;
        for (let v = from; v < from + 2; v += 1) socket.send(JSON.stringify({ type: 'update', data: update(frame.workflow_id, v) }));
      });
    },
  });
  const clock = new FakeClock();
  const updates = [];
  const errors = [];
  const statuses = [];
  const many = watchMany(['wf-a', { workflowId: 'wf-b', after: 10 }, 'wf-gone'], {
    baseUrl: server.baseUrl, WebSocket, timers: clock, onUpdate: (u) => updates.push(`${u.workflow_id}@${u.version}`),
    onError: (e) => errors.push(e), onStatus: (s) => statuses.push(s),
  });
  afterThisTest(() => many.close());
  await poll(() => statuses.at(-1)?.state === 'reconnecting', 5000, 'the 4000 close');
  assert.deepEqual(errors.map((e) => [e.code, e.workflowId]), [['not_found', 'wf-gone']]);
  assert.deepEqual(many.workflowIds, ['wf-a', 'wf-b']);
  clock.advance(statuses.at(-1).delayMs);
  await poll(() => updates.length === 8, 5000, 'both workflows resumed');
  assert.deepEqual(updates, ['wf-a@1', 'wf-a@2', 'wf-b@11', 'wf-b@12', 'wf-a@3', 'wf-a@4', 'wf-b@13', 'wf-b@14']);
});
