// @vapora/client over Server-Sent Events against the real system: nginx (the shipped routes) strips the upgrade
// headers on the socket routes, like a proxy that breaks WebSockets, so the watches fall back to the event streams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { watchAcrossGatewayKill, watchManyAcrossGatewayKill } from '../support/failover.js';
import { poll } from '../support/poll.js';
import { recordWatch, recordWatchMany } from '../support/watching.js';

const system = systemUnderTest({ blockWebSockets: true });
const quick = () => system.quick({ maxBackoffMs: 1000 });

test('with WebSockets refused, watch goes live over SSE and delivers every version once, in order, across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  const record = await watchAcrossGatewayKill(system, quick(), 'sse');
  assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && s.transport === 'sse' && s.error), 'the kill was seen as a dropped stream');
});

test('with WebSockets refused, watchMany streams every workflow over one SSE connection across a gateway SIGKILL', { timeout: 120_000 }, async () => {
  await watchManyAcrossGatewayKill(system, quick(), 'sse');
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
