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

for (const [how, many] of [['watch', false], ['watchMany', true]]) {
  test(`${how}: a socket with 6 s tokens refreshed in-band stays open across three lifetimes, no reconnect, every version once`, { timeout: 60_000 }, async () => {
    const id = await system.api.create();
    const issued = new Set(); // distinct: a token asked for in the second its predecessor was made is the same, and is not sent
    const token = () => {
      const fresh = tokens.create({ workflows: [id], lifetimeSeconds: 6 });
      issued.add(fresh);
      return fresh;
    };
    const options = { ...quick(), token, transports: ['websocket'] };
    const record = system.track(many ? recordWatchMany([id], options) : recordWatch(id, options));
    const versions = () => (many ? record.versions.get(id) ?? [] : record.versions);
    await poll(() => versions().length === 1, 20_000, 'the state');
    let step = 0;
    for (const until = Date.now() + 18_000; Date.now() < until;) {
      step += 1;
      await system.api.progress(id, step);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await poll(() => versions().at(-1) === step + 1, 20_000, `version ${step + 1}`);
    assert.deepEqual(versions(), range(1, step + 1));
    assert.equal(record.handle.stats.reconnects, 0);
    assert.ok(record.handle.stats.tokenRefreshes >= 3, `${record.handle.stats.tokenRefreshes} in-band refreshes`);
    // Every token issued after the connection's went in-band and was accepted (one may still be on its way at the end).
    await poll(() => issued.size === record.handle.stats.tokenRefreshes + 1, 10_000, 'every token issued since the connection\'s accepted');
    assert.deepEqual(record.errors, []);
    await record.handle.close();
  });
}

test('a refused in-band refresh is reported (token_refresh_failed) and the watch still goes on', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  let issued = 0;
  // The first token is good; every fresh one names another subject, which the gateway refuses.
  const token = () => (++issued === 1
    ? tokens.create({ workflows: [id], lifetimeSeconds: 3 })
    : tokens.create({ workflows: [id], subject: 'someone-else' }));
  const record = system.track(recordWatch(id, { ...quick(), token, transports: ['websocket'] }));
  await poll(() => record.errors.some((e) => e.code === 'token_refresh_failed'), 20_000, 'the refused refresh');
  assert.match(record.errors[0].message, /another subject/);
  await system.api.progress(id, 1);
  await poll(() => record.versions.at(-1) === 2, 20_000, 'version 2');
  await record.handle.close();
});

test('over event streams (no in-band refresh) a token function replaces a token that expires, and the watch misses nothing', { timeout: 60_000 }, async () => {
  const id = await system.api.create();
  let issued = 0;
  // Each token lives 2 s: the gateway ends the stream with 4401 at its expiry and the watch asks for a new one.
  const token = () => {
    issued += 1;
    return tokens.create({ workflows: [id], lifetimeSeconds: 2 });
  };
  const record = system.track(recordWatch(id, { ...quick(), token, transports: ['sse'] }));
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
