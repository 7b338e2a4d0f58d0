// The Server-Sent Events transport and its parser under a fake clock, against a scripted gateway on a real loopback
// socket: the ladder from refused sockets to SSE, resume, close events, refusals, silence and watchMany's URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchMany } from '../../src/index.js';
import { EventStreamParser } from '../../src/event-stream.js';
import { FakeClock } from '../support/fake-clock.js';
import { poll } from '../support/poll.js';
import { afterThisTest, gateway, watching } from '../support/scripted.js';
import { update } from '../support/scripted-gateway.js';

/** Starts an event stream on `response` and writes `events` (SSE text) to it. */
function stream(response, ...events) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write('retry: 1500\n\n');
  for (const event of events) response.write(event);
}

const message = (u) => `id: ${u.version}\ndata: ${JSON.stringify(u)}\n\n`;
const closeEvent = (code, reason, resume) => `event: close\ndata: ${JSON.stringify({ code, reason, resume })}\n\n`;
const half = () => 0.5;

test('the parser follows the spec: fields, multi-line data, comments, named events, CR, LF and CRLF split anywhere', () => {
  const events = [];
  const parser = new EventStreamParser((e) => events.push(e));
  const text = ': hello\r\nretry: 1000\n\nid: 7\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: close\rdata: x\r\rdata:no-space\n\n: keep-alive\n\n';
  for (const chunk of text.match(/[\s\S]{1,3}/g)) parser.push(chunk);
  assert.deepEqual(events, [
    { type: 'message', data: '{"a":\n1}', id: '7' },
    { type: 'close', data: 'x', id: '7' },
    { type: 'message', data: 'no-space', id: '7' },
  ]);
  assert.equal(parser.retry, 1000);
});

test('after refused upgrades the watch goes live over SSE, resumes with ?after after a resume close, and gives up on a give-up close', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onUpgrade: () => 426,
    onHttp: (request, response) => {
      const url = new URL(request.url, 'http://x');
      assert.equal(url.pathname, '/api/workflows/wf-sse/events');
      const streams = server.requests.length;
      if (streams === 1) stream(response, message(update('wf-sse', 1)), message(update('wf-sse', 2)), closeEvent(4000, 'slow consumer', true));
      else stream(response, message(update('wf-sse', 2)), message(update('wf-sse', 3)), closeEvent(4404, 'workflow not found', false));
      response.end();
    },
  });
  const clock = new FakeClock();
  const record = watching('wf-sse', { baseUrl: server.baseUrl, timers: clock, random: half, token: 'secret' });
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    await poll(() => record.statuses.at(-1)?.state === 'reconnecting' && record.statuses.at(-1).attempt === attempt, 5000, `socket attempt ${attempt}`);
    clock.advance(record.statuses.at(-1).delayMs);
  }
  await poll(() => record.statuses.at(-1)?.transport === 'sse', 5000, 'the third refused upgrade to switch to SSE');
  clock.advance(0);
  await poll(() => record.statuses.at(-1)?.state === 'reconnecting' && record.updates.length === 2, 5000, 'two versions, then the 4000 close');
  assert.ok(record.statuses.some((s) => s.state === 'live' && s.transport === 'sse'));
  assert.equal(record.statuses.at(-1).closeCode, 4000);
  assert.equal(server.requests[0].url, '/api/workflows/wf-sse/events', 'the state first');
  assert.equal(server.requests[0].headers.authorization, 'Bearer secret', 'fetch sends the token as a header');
  clock.advance(record.statuses.at(-1).delayMs);

  const stopped = await record.handle.closed;
  assert.equal(server.requests[1].url, '/api/workflows/wf-sse/events?after=2', 'the resume names the last version delivered');
  assert.deepEqual(record.updates.map((u) => u.version), [1, 2, 3], 'the repeated version 2 is dropped');
  assert.equal(record.handle.stats.duplicatesDropped, 1);
  assert.equal(stopped.reason, 'failed');
  assert.equal(stopped.error.code, 'not_found');
  assert.equal(stopped.error.closeCode, 4404);
});

test('a refusal with a close code gives up like a close; without one it counts against SSE and the watch falls through to polling', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onHttp: (request, response) => {
      const url = new URL(request.url, 'http://x');
      if (url.pathname === '/api/workflows/wf-gone/events') {
        response.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 404, detail: 'workflow not found', close_code: 4404, resume: false }));
      } else if (url.pathname.endsWith('/events')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('no such route'); // an older gateway, a proxy
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([update('wf-old', 1)]));
      }
    },
  });
  const gone = watching('wf-gone', { baseUrl: server.baseUrl, transports: ['sse'] });
  const stopped = await gone.handle.closed;
  assert.equal(stopped.error.code, 'not_found');
  assert.equal(stopped.error.status, 404);
  assert.equal(gone.handle.stats.reconnects, 0);

  const clock = new FakeClock();
  const old = watching('wf-old', { baseUrl: server.baseUrl, timers: clock, random: half, after: 0, transports: ['sse', 'polling'] });
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    await poll(() => old.statuses.at(-1)?.state === 'reconnecting' && old.statuses.at(-1).attempt === attempt, 5000, `stream attempt ${attempt}`);
    assert.match(old.statuses.at(-1).error.message, /404/);
    clock.advance(old.statuses.at(-1).delayMs);
  }
  await poll(() => old.statuses.at(-1)?.transport === 'polling', 5000, 'the third refusal to switch to polling');
  clock.advance(0);
  await poll(() => old.updates.length === 1, 5000, 'polling to deliver version 1');
});

test('an event stream silent for streamSilenceMs is dropped and resumed; a heartbeat keeps it alive', { timeout: 15_000 }, async () => {
  const responses = [];
  const server = await gateway({ onHttp: (request, response) => { responses.push(response); stream(response, message(update('wf-quiet', 1))); } });
  const clock = new FakeClock();
  const record = watching('wf-quiet', { baseUrl: server.baseUrl, timers: clock, transports: ['sse'], streamSilenceMs: 35_000 });
  await poll(() => record.updates.length === 1, 5000, 'the state');
  clock.advance(20_000);
  responses[0].write(': keep-alive\n\n');
  await poll(() => clock.pending().includes(35_000), 5000, 'the heartbeat to restart the silence timer');
  clock.advance(34_999);
  assert.equal(record.statuses.at(-1).state, 'live');
  clock.advance(1);
  assert.equal(record.statuses.at(-1).state, 'reconnecting');
  assert.match(record.statuses.at(-1).error.message, /silent for 35000 ms/);
});

test('watchMany over SSE names every workflow with its position in the URL, reopens when one is added, and reports workflow errors', { timeout: 15_000 }, async () => {
  // Like a gateway: without a position the state (the latest version) first, with one every later version.
  const latest = { 'wf-a': 1, 'wf-b': 11, 'wf-c': 1 };
  const server = await gateway({
    onHttp: (request, response) => {
      const list = new URL(request.url, 'http://x').searchParams.get('workflows').split(',');
      const events = [];
      for (const entry of list) {
        const [id, after] = entry.split(':');
        if (!(id in latest)) {
          events.push(`event: workflow_error\ndata: ${JSON.stringify({ type: 'error', workflow_id: id, code: 'not_found', message: 'workflow not found' })}\n\n`);
          continue;
        }
        for (let v = after === undefined ? latest[id] : Number(after) + 1; v <= latest[id]; v += 1) events.push(`data: ${JSON.stringify(update(id, v))}\n\n`);
      }
      stream(response, ...events);
    },
  });
  const updates = [];
  const errors = [];
  const many = watchMany(['wf-a', { workflowId: 'wf-b', after: 10 }, 'wf-missing'], {
    baseUrl: server.baseUrl, transports: ['sse'], onUpdate: (u) => updates.push(`${u.workflow_id}@${u.version}`), onError: (e) => errors.push(e),
  });
  afterThisTest(() => many.close());
  await poll(() => updates.length === 2 && errors.length === 1, 5000, 'both workflows and the error');
  assert.equal(new URL(server.requests[0].url, 'http://x').searchParams.get('workflows'), 'wf-a,wf-b:10,wf-missing');
  assert.deepEqual([errors[0].code, errors[0].workflowId], ['not_found', 'wf-missing']);
  assert.deepEqual(many.workflowIds, ['wf-a', 'wf-b']);

  many.add('wf-c');
  await poll(() => updates.includes('wf-c@1'), 5000, 'the new workflow on a reopened stream');
  assert.equal(new URL(server.requests.at(-1).url, 'http://x').searchParams.get('workflows'), 'wf-a:1,wf-b:11,wf-c');
  assert.deepEqual(updates, ['wf-a@1', 'wf-b@11', 'wf-c@1'], 'the reopened stream repeats nothing');
  assert.equal(many.status.state, 'live');
});
