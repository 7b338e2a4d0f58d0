// @vapora/client in headless Chromium: the browser's own WebSocket and fetch, the page's origin as baseUrl, the
// token in the access_token query (browsers cannot set headers on an upgrade). The package's files are served by
// nginx on the gateways' origin, in front of secured services (Auth__Mode=jwt).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Chromium } from '../support/chromium.js';
import { systemUnderTest } from '../support/e2e.js';
import { TokenFactory } from '../support/jwt.js';
import { poll } from '../support/poll.js';
import { range } from '../support/watching.js';

const tokens = new TokenFactory();
const system = systemUnderTest({
  env: tokens.serviceSettings(),
  gatewayEnv: { Gateway__ApiAccessToken: tokens.create({ scope: 'workflows:read', subject: 'gateway', lifetimeSeconds: 86_400 }) },
  producerToken: () => tokens.create({ scope: 'workflows:read workflows:write', subject: 'producer' }),
  serveFiles: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
});
let browser;
let tab;

before(async () => {
  browser = await Chromium.start();
  await system.ready;
  tab = await browser.open(`${system.stack.baseUrl}/__files/test/browser/blank.html`);
});

after(() => browser?.stop());

/** What the page's watch recorded so far. */
const recorded = () => tab.evaluate('JSON.parse(JSON.stringify(window.recorded))');

test('in Chromium, watch delivers every version once, in order across a gateway SIGKILL, with the token in access_token', { timeout: 120_000 }, async () => {
  const id = await system.api.create();
  const token = tokens.create({ workflows: [id] });
  await tab.evaluate(`(async () => {
    const { watch } = await import('/__files/src/index.js');
    window.recorded = { versions: [], transports: [], errors: [] };
    window.current = watch(${JSON.stringify(id)}, {
      token: ${JSON.stringify(token)}, initialBackoffMs: 50, maxBackoffMs: 500,
      onUpdate: (u) => recorded.versions.push(u.version),
      onStatus: (s) => s.state === 'live' && recorded.transports.push(s.transport),
      onError: (e) => recorded.errors.push(e.code + ': ' + e.message),
    });
  })()`);
  await poll(async () => (await recorded()).versions.length === 1, 20_000, 'the state in the page');
  for (let step = 1; step <= 10; step += 1) await system.api.progress(id, step);
  const victim = await system.stack.gatewayHoldingSocket();
  const writing = (async () => { for (let step = 11; step <= 25; step += 1) await system.api.progress(id, step); })();
  await victim.kill();
  await writing;
  await poll(async () => (await recorded()).versions.at(-1) === 26, 30_000, 'version 26 in the page');

  const result = await recorded();
  assert.deepEqual(result.versions, range(1, 26));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.transports, ['websocket', 'websocket'], 'live, dropped, live again');
  await tab.evaluate('window.current.close()');
  await system.stack.reviveGateways();
});

test('in Chromium with WebSockets blocked, watchMany streams over SSE with fetch and a bearer token, and polls when that is blocked too', { timeout: 120_000 }, async () => {
  await system.stack.nginx.reconfigure(system.stack.gateways, system.stack.api, { blockWebSockets: true });
  const ids = [await system.api.create(), await system.api.create()];
  const token = tokens.create({ workflows: ids });
  await tab.evaluate(`(async () => {
    const { watchMany } = await import('/__files/src/index.js');
    window.recorded = { versions: {}, transports: [], errors: [] };
    window.current = watchMany(${JSON.stringify(ids)}.map((workflowId) => ({ workflowId, after: 0 })), {
      token: ${JSON.stringify(token)}, initialBackoffMs: 50, maxBackoffMs: 500, pollIntervalMs: 200,
      onUpdate: (u) => (recorded.versions[u.workflow_id] ??= []).push(u.version),
      onStatus: (s) => s.state === 'live' && recorded.transports.push(s.transport),
      onError: (e) => recorded.errors.push(e.code + ': ' + e.message),
    });
  })()`);
  for (let step = 1; step <= 10; step += 1) for (const id of ids) await system.api.progress(id, step);
  await poll(async () => {
    const { versions } = await recorded();
    return ids.every((id) => versions[id]?.at(-1) === 11);
  }, 30_000, 'version 11 of both in the page');

  const result = await recorded();
  for (const id of ids) assert.deepEqual(result.versions[id], range(1, 11), id);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.transports, ['sse']);
  await tab.evaluate('window.current.close()');

  // With the event streams refused too, the same watch polls the API.
  await system.stack.nginx.reconfigure(system.stack.gateways, system.stack.api, { blockWebSockets: true, blockEventStreams: true });
  await tab.evaluate(`(async () => {
    const { watchMany } = await import('/__files/src/index.js');
    window.recorded = { versions: {}, transports: [], errors: [] };
    window.current = watchMany(${JSON.stringify(ids)}.map((workflowId) => ({ workflowId, after: 11 })), {
      token: ${JSON.stringify(token)}, initialBackoffMs: 50, maxBackoffMs: 500, pollIntervalMs: 200,
      onUpdate: (u) => (recorded.versions[u.workflow_id] ??= []).push(u.version),
      onStatus: (s) => s.state === 'live' && recorded.transports.push(s.transport),
      onError: (e) => recorded.errors.push(e.code + ': ' + e.message),
    });
  })()`);
  for (const id of ids) await system.api.progress(id, 11);
  await poll(async () => {
    const { versions } = await recorded();
    return ids.every((id) => versions[id]?.at(-1) === 12);
  }, 30_000, 'version 12 of both in the page');
  const polled = await recorded();
  assert.deepEqual(polled.transports, ['polling']);
  assert.deepEqual(polled.errors, []);
  await tab.evaluate('window.current.close()');
  await system.stack.nginx.reconfigure(system.stack.gateways, system.stack.api, { blockWebSockets: false });
});
