// What the unit tests of a file share: scripted gateways and watches that are stopped after each test (also a failed
// one), so no socket or timer outlives its test.
import { after, afterEach } from 'node:test';
import WebSocket from 'ws';
import { watch } from '../../src/index.js';
import { ScriptedGateway } from './scripted-gateway.js';

const cleanups = [];
const runCleanups = async () => {
  while (cleanups.length) await cleanups.pop()();
};
afterEach(runCleanups);
after(runCleanups);

/** Runs `cleanup` after the current test. */
export function afterThisTest(cleanup) {
  cleanups.push(cleanup);
}

/** A scripted gateway (see ScriptedGateway), stopped after the test. */
export async function gateway(script) {
  const started = await ScriptedGateway.start(script);
  afterThisTest(() => started.stop());
  return started;
}

/** watch() recording what it reports (statuses, updates, errors), closed after the test. */
export function watching(id, options) {
  const statuses = [];
  const updates = [];
  const errors = [];
  const handle = watch(id, {
    WebSocket,
    onUpdate: (u) => updates.push(u),
    onStatus: (s) => statuses.push(s),
    onError: (e) => errors.push(e),
    ...options,
  });
  afterThisTest(() => handle.close());
  return { handle, statuses, updates, errors };
}
