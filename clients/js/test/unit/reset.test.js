// A state marked reset (the gateway could not continue gap-free) is the watch's new start: onReset, then onUpdate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poll } from '../support/poll.js';
import { gateway, watching } from '../support/scripted.js';
import { update } from '../support/scripted-gateway.js';

test('a state marked reset is delivered with onReset also below the last version, and the watch goes on from it', { timeout: 15_000 }, async () => {
  const server = await gateway({
    onSocket: (socket) => {
      for (const v of [1, 2, 3]) socket.send(JSON.stringify(update('wf-reset', v)));
      // As after a restore from backup: the store is behind what the client saw.
      socket.send(JSON.stringify({ ...update('wf-reset', 2), name: 'restored', reset: true }));
      socket.send(JSON.stringify(update('wf-reset', 3, 'running')));
    },
  });
  const resets = [];
  const { handle, updates } = watching('wf-reset', { baseUrl: server.baseUrl, onReset: (state) => resets.push(state) });
  await poll(() => updates.length === 5, 5000, 'five deliveries');
  assert.deepEqual(updates.map((u) => [u.version, u.reset === true]), [[1, false], [2, false], [3, false], [2, true], [3, false]]);
  assert.deepEqual(resets.map((r) => r.version), [2]);
  assert.equal(resets[0], updates[3], 'onReset and onUpdate get the same state');
  assert.equal(handle.stats.resets, 1);
  assert.equal(handle.stats.duplicatesDropped, 0);
});

test('onReset must be a function', () => {
  assert.throws(() => watching('wf-reset', { baseUrl: 'http://127.0.0.1:9', onReset: 'no' }), /options.onReset must be a function/);
});
