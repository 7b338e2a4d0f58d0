// The failover scenarios every streaming transport must pass against the real system, shared by the files that run
// them over WebSocket and over Server-Sent Events: a gateway is SIGKILLed while versions keep coming.
import assert from 'node:assert/strict';
import { poll } from './poll.js';
import { liveTransports, range, recordWatch, recordWatchMany } from './watching.js';

/** No connection is left from an earlier test, so the gateway that holds one is this test's. */
export async function quiet(system) {
  await poll(async () => (await system.stack.gatewayWithConnections(1)) === undefined, 20_000, 'every earlier connection to close');
}

/** watch delivers every version once, in order, across a SIGKILL of the gateway serving it, staying on `transport`. */
export async function watchAcrossGatewayKill(system, options, transport) {
  await quiet(system);
  const id = await system.api.create();
  const record = system.track(recordWatch(id, options));
  await poll(() => record.versions.length === 1, 20_000, 'the state (version 1)');
  assert.equal(record.handle.status.transport, transport);
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
  assert.ok(record.handle.stats.reconnects >= 1, 'it did reconnect');
  assert.deepEqual(liveTransports(record.statuses), [transport]);
  await record.handle.close();
  await system.stack.reviveGateways();
  return record;
}

/** watchMany delivers every version of every workflow once, in order, across a gateway SIGKILL, staying on `transport`. */
export async function watchManyAcrossGatewayKill(system, options, transport) {
  await quiet(system);
  const ids = [await system.api.create(), await system.api.create(), await system.api.create()];
  const record = system.track(recordWatchMany(ids, options));
  await poll(() => ids.every((id) => record.versions.get(id)?.length === 1), 20_000, 'the state of each workflow');
  assert.equal(record.handle.status.transport, transport);
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
  assert.deepEqual(liveTransports(record.statuses), [transport]);
  await record.handle.close();
  await system.stack.reviveGateways();
  return record;
}
