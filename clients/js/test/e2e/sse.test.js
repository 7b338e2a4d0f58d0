// @vapora/client over Server-Sent Events against the real system: nginx (the shipped routes) strips the upgrade
// headers on the socket routes, like a proxy that breaks WebSockets, so the watches fall back to the event streams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { poll } from '../support/poll.js';
import { liveTransports, range, recordWatch, recordWatchMany } from '../support/watching.js';

const system = systemUnderTest({ blockWebSockets: true });
const quick = () => system.quick({ maxBackoffMs: 1000 });

/** No stream is left from an earlier test, so the gateway that holds one is this test's. */
async function quiet() {
  await poll(async () => (await system.stack.gatewayWithConnections(1)) === undefined, 20_000, 'every earlier stream to close');
}

test('with WebSockets refused, watch goes live over SSE and delivers every version once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await quiet();
  const id = await system.api.create();
  const record = system.track(recordWatch(id, quick()));
  await poll(() => record.versions.length === 1, 20_000, 'the state (version 1)');
  assert.equal(record.handle.status.transport, 'sse');
  assert.equal(record.updates[0].name, 'js client test', 'the first delivery is the state, with its name');
  await system.api.progressSteps(id, 1, 10);
  await poll(() => record.versions.at(-1) === 11, 20_000, 'version 11');

  const victim = await system.stack.gatewayHoldingSocket();
  const writing = system.api.progressSteps(id, 11, 40); // the gateway dies while versions keep coming
  await victim.kill();
  await writing;
  await poll(() => record.versions.at(-1) === 41, 30_000, 'version 41 after the failover');

  assert.deepEqual(record.versions, range(1, 41));
  assert.equal(record.handle.stats.duplicatesDropped, 0);
  assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && s.transport === 'sse' && /without a close event|terminated|fetch failed|socket/i.test(s.error?.message ?? '')),
    'the kill was seen as a dropped stream');
  assert.deepEqual(liveTransports(record.statuses), ['sse']);
  await record.handle.close();
  await system.stack.reviveGateways();
});

test('with WebSockets refused, watchMany streams every workflow over one SSE connection across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await quiet();
  const ids = [await system.api.create(), await system.api.create(), await system.api.create()];
  const record = system.track(recordWatchMany(ids, quick()));
  await poll(() => ids.every((id) => record.versions.get(id)?.length === 1), 20_000, 'the state of each workflow');
  assert.equal(record.handle.status.transport, 'sse');
  for (const id of ids) await system.api.progressSteps(id, 1, 5);
  await poll(() => ids.every((id) => record.versions.get(id).at(-1) === 6), 20_000, 'version 6 of each');

  const victim = await system.stack.gatewayHoldingSocket();
  const writing = (async () => {
    for (let step = 6; step <= 25; step += 1) for (const id of ids) await system.api.progress(id, step);
  })();
  await victim.kill();
  await writing;
  await poll(() => ids.every((id) => record.versions.get(id).at(-1) === 26), 30_000, 'version 26 of each after the failover');

  for (const id of ids) assert.deepEqual(record.versions.get(id), range(1, 26), id);
  assert.ok(record.handle.stats.reconnects >= 1);
  assert.deepEqual(liveTransports(record.statuses), ['sse']);
  await record.handle.close();
  await system.stack.reviveGateways();
});

test('over SSE a workflow that does not exist gives up with not_found (4404), and watchMany drops only it', { timeout: 60_000 }, async () => {
  const single = system.track(recordWatch('wf_does_not_exist', { ...quick(), transports: ['sse'] }));
  const stopped = await single.handle.closed;
  assert.equal(stopped.error.code, 'not_found');
  assert.equal(stopped.error.closeCode, 4404);
  assert.equal(single.handle.stats.reconnects, 0);

  const id = await system.api.create();
  const many = system.track(recordWatchMany([id, 'wf_missing'], quick()));
  await poll(() => many.errors.length === 1 && many.versions.get(id)?.length === 1, 20_000, 'the error and the state');
  assert.deepEqual([many.errors[0].code, many.errors[0].workflowId], ['not_found', 'wf_missing']);
  assert.deepEqual(many.handle.workflowIds, [id]);
  await system.api.progress(id, 1);
  await poll(() => many.versions.get(id).length === 2, 20_000, 'version 2');
  assert.equal(many.handle.status.transport, 'sse');
  await many.handle.close();
});
