// In-band token refresh (src/token-refresh.js) on a fake clock: when it asks for a token, what it sends, and that a
// token function with nothing fresher yet costs no frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refreshAtOf, TokenRefresh } from '../../src/token-refresh.js';
import { FakeClock } from '../support/fake-clock.js';

/** An unsigned JWT-shaped token (the refresh reads iat and exp only); `id` tells tokens with the same times apart. */
function token(iatSeconds, expSeconds, id = 'a') {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none' })}.${encode({ iat: iatSeconds, exp: expSeconds, jti: id })}.`;
}

/** A TokenRefresh whose gateway accepts every token at once (as it does for a valid one). */
function refreshing(current, fresh, clock) {
  const sent = [];
  let refresh;
  refresh = new TokenRefresh({
    token: current,
    timers: clock,
    now: () => clock.now,
    fresh: async () => fresh(),
    send: (frame) => {
      sent.push(frame.token);
      queueMicrotask(() => refresh.acceptedFrame());
    },
    accepted: () => {},
    failed: () => assert.fail('no failure is expected'),
  });
  return { sent, refresh };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the refresh is due a fifth of the lifetime before expiry, but at least 5 s before (half-way under 10 s), read from iat and exp', () => {
  assert.equal(refreshAtOf(token(100, 400), 0), 340_000, '5 min: 60 s before');
  assert.equal(refreshAtOf(token(100, 120), 0), 115_000, '20 s: 5 s before, not 4');
  assert.equal(refreshAtOf(token(100, 106), 0), 103_000, '6 s: half-way, not 1.2 s before');
  assert.equal(refreshAtOf('not-a-jwt', 0), null);
});

test('a token function that gives the token in use sends nothing and asks again after 1, 2, 4 s; a fresh one is sent once', async () => {
  const clock = new FakeClock();
  clock.now = 9_000; // in the last fifth of a token from 0 s to 10 s
  const old = token(0, 10);
  let offered = old;
  const { sent, refresh } = refreshing(old, () => offered, clock);
  await settle();
  clock.advance(0);
  await settle();
  assert.deepEqual(sent, [], 'the token in use is not sent back (it would be accepted, due again, and sent again, round after round)');
  assert.deepEqual(clock.pending(), [1000]);

  clock.advance(1000);
  await settle();
  assert.deepEqual(sent, []);
  assert.deepEqual(clock.pending(), [2000], 'backed off');

  offered = token(9, 19, 'b');
  clock.advance(2000);
  await settle();
  await settle();
  assert.deepEqual(sent, [offered], 'the fresh token, once');
  assert.deepEqual(clock.pending(), [2000], 'next 5 s before the fresh token\'s expiry (14 s; the clock is at 12 s)');
  refresh.stop();
});

test('a token_expiring about an earlier expiry than the current token\'s (the one just replaced) starts nothing; one about the current token does', async () => {
  const clock = new FakeClock();
  clock.now = 12_000;
  let asked = 0;
  const { refresh } = refreshing(token(9, 19, 'b'), () => {
    asked += 1;
    return token(12, 22, 'c');
  }, clock);
  refresh.expiring(new Date(10_000).toISOString());
  assert.equal(asked, 0, 'the notice crossed our refresh: about the old token');
  refresh.expiring(new Date(19_000).toISOString());
  assert.equal(asked, 1);
  refresh.stop();
});
