// @vapora/client against the real system: Redis, the API and two gateways behind nginx (the shipped routes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { poll } from '../support/poll.js';
import { liveTransports, range, recordWatch, recordWatchMany } from '../support/watching.js';

const system = systemUnderTest();
const quick = () => system.quick({ maxBackoffMs: 1000 });

/** No socket is left from an earlier test, so the gateway that holds one is this test's. */
async function quiet() {
  await poll(async () => (await system.stack.gatewayWithConnections(1)) === undefined, 20_000, 'every earlier socket to close');
}

test('watch delivers every version once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await quiet();
  const id = await system.api.create();
  const record = system.track(recordWatch(id, quick()));
  await poll(() => record.versions.length === 1, 20_000, 'the state (version 1)');
  assert.equal(record.updates[0].name, 'js client test', 'the first delivery is the state, with its name');
  await system.api.progressSteps(id, 1, 10);
  await poll(() => record.versions.at(-1) === 11, 20_000, 'version 11');

  const victim = await system.stack.gatewayHoldingSocket();
  const writing = system.api.progressSteps(id, 11, 40); // the gateway dies while versions keep coming
  await victim.kill();
  await writing;
  await poll(() => record.versions.at(-1) === 41, 30_000, 'version 41 after the failover');

  assert.deepEqual(record.versions, range(1, 41));
  assert.ok(record.handle.stats.reconnects >= 1, 'it did reconnect');
  assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && s.closeCode === 1006), 'the kill was seen as a drop');
  assert.deepEqual(liveTransports(record.statuses), ['websocket']);
  await record.handle.close();
  await system.stack.reviveGateways();
});

test('watchMany delivers every version of every workflow once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await quiet();
  const ids = [await system.api.create(), await system.api.create(), await system.api.create()];
  const record = system.track(recordWatchMany(ids, quick()));
  await poll(() => ids.every((id) => record.versions.get(id)?.length === 1), 20_000, 'the state of each workflow');
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
  await record.handle.close();
  await system.stack.reviveGateways();
});

test('watch resumes after the version given and stops by itself after a terminal status', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  await system.api.progressSteps(id, 1, 4);
  const record = system.track(recordWatch(id, { ...quick(), after: 3 }));
  await poll(() => record.versions.length === 2, 20_000, 'versions 4 and 5');
  await system.api.update(id, { status: 'completed', current_step: 1000 });
  const stopped = await record.handle.closed;
  assert.deepEqual(record.versions, [4, 5, 6]);
  assert.equal(stopped.reason, 'finished');
  assert.equal(record.updates.at(-1).status, 'completed');
  assert.equal(record.handle.status.state, 'stopped');
});

test('watch of a workflow that does not exist gives up with not_found (4404) and does not retry', { timeout: 60_000 }, async () => {
  const record = system.track(recordWatch('wf_does_not_exist', quick()));
  const stopped = await record.handle.closed;
  assert.equal(stopped.reason, 'failed');
  assert.equal(stopped.error.code, 'not_found');
  assert.equal(stopped.error.closeCode, 4404);
  assert.equal(record.handle.stats.reconnects, 0);
  assert.deepEqual(record.errors, [stopped.error]);
});

test('watchMany reports a workflow that does not exist and keeps serving the others', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  const record = system.track(recordWatchMany([id, 'wf_missing'], quick()));
  await poll(() => record.errors.length === 1 && record.versions.get(id)?.length === 1, 20_000, 'the error and the state');
  assert.equal(record.errors[0].code, 'not_found');
  assert.equal(record.errors[0].workflowId, 'wf_missing');
  assert.deepEqual(record.handle.workflowIds, [id]);
  await system.api.progressSteps(id, 1, 3);
  const later = await system.api.create();
  await system.api.progress(later, 1);
  record.handle.add(later, { after: 0 }); // every version from 1, not the current state
  await poll(() => record.versions.get(id).length === 4 && record.versions.get(later)?.at(-1) === 2, 20_000, 'both workflows');
  assert.deepEqual(record.versions.get(id), [1, 2, 3, 4]);
  assert.deepEqual(record.versions.get(later), [1, 2]);
  await record.handle.close();
});
