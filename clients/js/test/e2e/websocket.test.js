// @vapora/client against the real system: Redis, the API and two gateways behind nginx (the shipped routes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { watchAcrossGatewayKill, watchManyAcrossGatewayKill } from '../support/failover.js';
import { startForgettingRelay } from '../support/forgetting-relay.js';
import { poll } from '../support/poll.js';
import { recordWatch, recordWatchMany } from '../support/watching.js';

const system = systemUnderTest();
const quick = () => system.quick({ maxBackoffMs: 1000 });

test('watch delivers every version once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  const record = await watchAcrossGatewayKill(system, quick(), 'websocket');
  assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && s.closeCode === 1006), 'the kill was seen as a drop');
});

test('watchMany delivers every version of every workflow once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await watchManyAcrossGatewayKill(system, quick(), 'websocket');
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

test('with default pings a watch leaves a flow the load balancer forgot (no FIN, no RST) and is live again within its bound, missing nothing', { timeout: 60_000 }, async (t) => {
  const relay = await startForgettingRelay(system.stack.baseUrl);
  try {
    const id = await system.api.create();
    // The shipped pingIntervalMs and pongTimeoutMs: only the backoff is quick.
    const record = system.track(recordWatch(id, { ...quick(), baseUrl: relay.baseUrl }));
    await poll(() => record.versions.length === 1, 20_000, 'the state');
    relay.forget();
    const cut = performance.now();
    await system.api.progress(id, 1);
    await poll(() => record.versions.at(-1) === 2, 30_000, 'version 2 on a new connection');
    const liveAgainMs = performance.now() - cut;
    t.diagnostic(`live again ${Math.round(liveAgainMs)} ms after the flow was forgotten`);
    assert.deepEqual(record.versions, [1, 2]);
    assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && /no answer from the gateway/.test(s.error?.message ?? '')), 'the missing pong was the cause');
    // Target 12 s (ping every 8 s, 4 s for its pong) plus a quick backoff; the suite allows for a loaded machine.
    assert.ok(liveAgainMs < 18_000, `live again after ${Math.round(liveAgainMs)} ms`);
  } finally {
    await relay.stop();
  }
});
