import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { watch, watchMany } from '../../src/index.js';
import { poll } from '../support/poll.js';
import { ScriptedGateway, update } from '../support/scripted-gateway.js';

const base = { baseUrl: 'http://127.0.0.1:9', WebSocket, onUpdate() {} };

test('bad ids and versions are refused at the call with a clear TypeError', () => {
  for (const id of ['', 'has space', 'x'.repeat(65), '../etc', 'wf*', 'wf/1', 42, null, undefined]) {
    assert.throws(() => watch(id, base), { name: 'TypeError', message: /A workflow id is 1-64 characters/ }, String(id));
    assert.throws(() => watchMany([id], base), TypeError, String(id));
  }
  for (const bad of [-1, 1.5, '3', NaN, Number.MAX_SAFE_INTEGER + 1]) {
    assert.throws(() => watch('wf', { ...base, after: bad }), { name: 'TypeError', message: /options.after must be a version/ }, String(bad));
    assert.throws(() => watchMany([{ workflowId: 'wf', after: bad }], base), { message: /after of wf must be a version/ });
  }
  assert.throws(() => watchMany('wf', base), { message: /workflows must be an array/ });
  const many = watchMany([], base);
  assert.throws(() => many.add('no good'), TypeError);
  assert.throws(() => many.add('wf', { after: -2 }), TypeError);
  many.close();
});

test('bad options are refused at the call with a clear error naming the option', () => {
  const cases = [
    [{ ...base, onUpdate: undefined }, /onUpdate must be a function/],
    [{ ...base, onStatus: 'yes' }, /onStatus must be a function/],
    [{ ...base, baseUrl: undefined }, /baseUrl is required outside a browser/],
    [{ ...base, baseUrl: 'not a url' }, /baseUrl must be an absolute/],
    [{ ...base, baseUrl: 'ftp://example.com' }, /baseUrl must be an http\(s\) or ws\(s\) URL/],
    [{ ...base, apiUrl: 'mailto:x@y' }, /apiUrl must be an http\(s\) or ws\(s\) URL/],
    [{ ...base, transports: ['carrier-pigeon'] }, /Unknown transport "carrier-pigeon"/],
    [{ ...base, transports: [] }, /non-empty array/],
    [{ ...base, transports: [{ name: 'half' }] }, /transport names or objects/],
    [{ ...base, transports: ['websocket'], WebSocket: null }, /websocket needs a WebSocket class.*ws package/],
    [{ ...base, initialBackoff: 100 }, /Unknown option "initialBackoff"/],
    [{ ...base, initialBackoffMs: 0 }, /initialBackoffMs must be an integer of 1 or more/],
    [{ ...base, maxBackoffMs: 10, initialBackoffMs: 100 }, /maxBackoffMs must not be below/],
    [{ ...base, maxReconnectAttempts: -1 }, /maxReconnectAttempts must be an integer of 1 or more \(or Infinity\)/],
    [{ ...base, pollIntervalMs: 2.5 }, /pollIntervalMs/],
    [{ ...base, historyPageSize: 1001 }, /historyPageSize must be at most 1000/],
    [{ ...base, token: 42 }, /token must be a string or a function/],
    [{ ...base, tokenInQuery: 'yes' }, /tokenInQuery must be true or false/],
    [{ ...base, timers: {} }, /timers must have setTimeout and clearTimeout/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => watch('wf', options), message, message.source);
  }
  assert.throws(() => watch('wf', null), /options must be an object/);
  assert.throws(() => watchMany(['wf'], { ...base, after: 3 }), /watchMany takes `after` per workflow/);
});

test('an exception thrown in onUpdate goes to onError and delivery goes on', { timeout: 15_000 }, async (t) => {
  const server = await ScriptedGateway.start({
    onSocket: (socket) => [1, 2, 3].forEach((v) => socket.send(JSON.stringify(update('wf-callback', v)))),
  });
  t.after(() => server.stop());
  const delivered = [];
  const errors = [];
  const handle = watch('wf-callback', {
    baseUrl: server.baseUrl,
    WebSocket,
    onUpdate: (u) => {
      delivered.push(u.version);
      if (u.version === 2) throw new Error('bug in the page');
    },
    onError: (e) => errors.push(e),
  });
  t.after(() => handle.close());
  await poll(() => delivered.length === 3, 5000, 'three deliveries');
  assert.deepEqual(delivered, [1, 2, 3]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'callback_failed');
  assert.match(errors[0].message, /bug in the page/);
  assert.equal(handle.status.state, 'live');
});

