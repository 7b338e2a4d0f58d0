// @vapora/client against services that require tokens (Auth__Mode=jwt with a signing key), behind nginx.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemUnderTest } from '../support/e2e.js';
import { TokenFactory } from '../support/jwt.js';
import { poll } from '../support/poll.js';
import { range, recordWatch, recordWatchMany } from '../support/watching.js';

const tokens = new TokenFactory();
const system = systemUnderTest({
  env: tokens.serviceSettings(),
  gatewayEnv: { Gateway__ApiAccessToken: tokens.create({ scope: 'workflows:read', subject: 'gateway', lifetimeSeconds: 86_400 }) },
  producerToken: () => tokens.create({ scope: 'workflows:read workflows:write', subject: 'producer' }),
});
const quick = () => system.quick();

for (const [how, tokenInQuery] of [['the Authorization header', false], ['the access_token query parameter (as browsers must)', true]]) {
  test(`a token in ${how} opens the stream`, { timeout: 60_000 }, async () => {
    const id = await system.api.create();
    const record = system.track(recordWatch(id, { ...quick(), token: tokens.create({ workflows: [id] }), tokenInQuery, transports: ['websocket'] }));
    await poll(() => record.versions.length === 1, 20_000, 'the state');
    await system.api.progress(id, 1);
    await poll(() => record.versions.length === 2, 20_000, 'version 2');
    assert.deepEqual(record.errors, []);
    await record.handle.close();
  });
}

test('without a token the watch gives up with unauthorized (4401) and does not retry', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  const record = system.track(recordWatch(id, quick()));
  const stopped = await record.handle.closed;
  assert.equal(stopped.error.code, 'unauthorized');
  assert.equal(stopped.error.closeCode, 4401);
  assert.match(stopped.error.message, /bearer token is required/);
  assert.equal(record.handle.stats.reconnects, 0);
});

test('a token for other workflows gives up with forbidden (4403); watchMany drops only the forbidden workflow', { timeout: 60_000 }, async () => {
  const [allowed, other] = [await system.api.create(), await system.api.create()];
  const token = tokens.create({ workflows: [allowed] });
  const single = system.track(recordWatch(other, { ...quick(), token }));
  const stopped = await single.handle.closed;
  assert.equal(stopped.error.code, 'forbidden');
  assert.equal(stopped.error.closeCode, 4403);

  const many = system.track(recordWatchMany([allowed, other], { ...quick(), token }));
  await poll(() => many.errors.length === 1 && many.versions.get(allowed)?.length === 1, 20_000, 'the refusal and the state');
  assert.equal(many.errors[0].code, 'forbidden');
  assert.equal(many.errors[0].workflowId, other);
  await system.api.progress(allowed, 1);
  await poll(() => many.versions.get(allowed).length === 2, 20_000, 'version 2 of the allowed workflow');
  assert.equal(many.handle.status.state, 'live');
  await many.handle.close();
});

test('polling sends the token as a bearer header, and gives up on 401 without one', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  const record = system.track(recordWatch(id, { ...quick(), after: 0, transports: ['polling'], token: tokens.create({ scope: 'workflows:read' }) }));
  await system.api.progress(id, 1);
  await poll(() => record.versions.length === 2, 20_000, 'versions 1 and 2 over polling');
  await record.handle.close();

  const anonymous = system.track(recordWatch(id, { ...quick(), transports: ['polling'] }));
  const stopped = await anonymous.handle.closed;
  assert.equal(stopped.error.code, 'unauthorized');
  assert.equal(stopped.error.status, 401);
  assert.equal(anonymous.handle.stats.reconnects, 0);
});

test('a token function replaces a token that expires while connected, and the watch misses nothing', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  let issued = 0;
  // Each token lives 2 s: the gateway closes the socket with 4401 at its expiry and the watch asks for a new one.
  const token = () => {
    issued += 1;
    return tokens.create({ workflows: [id], lifetimeSeconds: 2 });
  };
  const record = system.track(recordWatch(id, { ...quick(), token, transports: ['websocket'] }));
  await poll(() => record.versions.length === 1, 20_000, 'the state');
  let step = 0;
  await poll(async () => {
    step += 1;
    await system.api.progress(id, step);
    return issued >= 3;
  }, 30_000, 'two token renewals');
  await poll(() => record.versions.at(-1) === step + 1, 20_000, `version ${step + 1}`);
  assert.deepEqual(record.versions, range(1, step + 1));
  assert.ok(record.statuses.some((s) => s.state === 'reconnecting' && s.closeCode === 4401), 'the gateway closed an expired socket');
  assert.deepEqual(record.errors, []);
  await record.handle.close();
});
