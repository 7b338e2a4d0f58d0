// The frame of an end-to-end test file: one system (Stack) for all its tests, a producer, and every watch a test
// opened closed at the end, also when the test failed.
import { after, before } from 'node:test';
import { ApiClient } from './api.js';
import { Stack } from './stack.js';

/**
 * @param {Parameters<typeof Stack.start>[0] & { producerToken?: () => string }} [options]
 */
export function systemUnderTest({ producerToken, ...stackOptions } = {}) {
  const open = [];
  let started;
  const system = {
    /** Resolves when the system is up (for a file's own before hooks, which node:test may run alongside this one). */
    ready: new Promise((resolve, reject) => { started = { resolve, reject }; }),
    /** @type {Stack} */ stack: null,
    /** @type {ApiClient} */ api: null,
    /** Remembers a recorded watch so that it is closed after the file's tests. */
    track(record) {
      open.push(record);
      return record;
    },
    /** Options for quick reconnects and polls through the load balancer: the tests measure correctness, not patience. */
    quick(extra = {}) {
      return { baseUrl: system.stack.baseUrl, initialBackoffMs: 50, maxBackoffMs: 500, pollIntervalMs: 200, ...extra };
    },
  };
  system.ready.catch(() => {}); // reported by the hook below
  before(async () => {
    try {
      system.stack = await Stack.start(stackOptions);
      system.api = new ApiClient(system.stack.api.baseUrl, producerToken?.() ?? null);
      started.resolve();
    } catch (error) {
      started.reject(error);
      throw error;
    }
  });
  after(async () => {
    for (const record of open) await record.handle.close();
    await system.stack?.stop();
  });
  return system;
}
