// @vapora/client when no stream gets through: nginx (the shipped routes) strips the upgrade headers on the socket
// routes, like a proxy that breaks WebSockets (the gateway then answers 426 and no socket ever opens), and refuses the
// Server-Sent Events routes with 403; only the API's REST reads are left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { poll } from '../support/poll.js';
import { liveTransports, range, recordWatch, recordWatchMany } from '../support/watching.js';

const system = systemUnderTest({ blockWebSockets: true, blockEventStreams: true });
const quick = () => system.quick();

test('with WebSockets and event streams refused by the proxy, watch falls back to polling and delivers every version once, in order', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  await system.api.progressSteps(id, 1, 4);
  const record = system.track(recordWatch(id, quick()));
  await poll(() => record.handle.status.state === 'live', 20_000, 'the watch to go live');
  assert.equal(record.handle.status.transport, 'polling');
  const failures = record.statuses.filter((s) => s.state === 'reconnecting' && s.transport === 'websocket');
  assert.equal(failures.length, 2, 'two socket attempts failed, the third switched');
  assert.match(failures[0].error.message, /426/, 'the gateway refused the request that lost its upgrade');
  const streams = record.statuses.filter((s) => s.state === 'reconnecting' && s.transport === 'sse' && s.delayMs > 0);
  assert.equal(streams.length, 2, 'then two event streams were refused, the third switched');
  assert.match(streams[0].error.message, /403/);

  await system.api.progressSteps(id, 5, 30);
  await poll(() => record.versions.at(-1) === 31, 20_000, 'version 31');
  assert.equal(record.versions[0], 5, 'the state first (version 5, with its name)');
  assert.equal(record.updates[0].name, 'js client test');
  assert.deepEqual(record.versions, range(5, 31));
  assert.equal(record.handle.stats.duplicatesDropped, 0);
  await record.handle.close();
});

test('with WebSockets and event streams refused by the proxy, watchMany polls every workflow and delivers every version once, in order', { timeout: 60_000 }, async () => {
  const ids = [await system.api.create(), await system.api.create()];
  const record = system.track(recordWatchMany(ids.map((workflowId) => ({ workflowId, after: 0 })), quick()));
  for (let step = 1; step <= 15; step += 1) for (const id of ids) await system.api.progress(id, step);
  await poll(() => ids.every((id) => record.versions.get(id)?.at(-1) === 16), 20_000, 'version 16 of each');
  for (const id of ids) assert.deepEqual(record.versions.get(id), range(1, 16), id);
  assert.deepEqual(liveTransports(record.statuses), ['polling']);
  await record.handle.close();
});

test('a watch moves from polling to WebSocket and back as the proxy starts and stops letting upgrades through, losing and doubling nothing', { timeout: 120_000 }, async () => {
  const id = await system.api.create();
  const record = system.track(recordWatch(id, { ...quick(), after: 0, upgradeProbeMs: 500 }));
  await system.api.progressSteps(id, 1, 10);
  await poll(() => record.versions.at(-1) === 11 && record.handle.status.state === 'live' && record.handle.status.transport === 'polling',
    20_000, 'version 11, live over polling');

  await system.stack.nginx.reconfigure(system.stack.gateways, system.stack.api, { blockWebSockets: false });
  await poll(() => record.handle.status.state === 'live' && record.handle.status.transport === 'websocket', 30_000, 'a probe to take over on WebSocket');
  await system.api.progressSteps(id, 11, 20);
  await poll(() => record.versions.at(-1) === 21, 20_000, 'version 21 over WebSocket');

  // The proxy stops letting upgrades through while versions keep coming; its old worker cuts the open socket.
  const writing = system.api.progressSteps(id, 21, 40);
  await system.stack.nginx.reconfigure(system.stack.gateways, system.stack.api, { blockWebSockets: true, blockEventStreams: true });
  await writing;
  await poll(() => record.versions.at(-1) === 41 && record.handle.status.state === 'live' && record.handle.status.transport === 'polling',
    30_000, 'version 41, live over polling');

  assert.deepEqual(record.versions, range(1, 41));
  assert.deepEqual(liveTransports(record.statuses), ['polling', 'websocket', 'polling']);
  await record.handle.close();
});
