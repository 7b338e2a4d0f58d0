import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, CloseCodes, isGiveUpCode } from '../../src/index.js';

test('backoff doubles per attempt up to the maximum, each wait between half and all of it', () => {
  const options = { initialMs: 500, maxMs: 30_000 };
  const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
  ceilings.forEach((ceiling, index) => {
    const attempt = index + 1;
    assert.equal(backoffDelay(attempt, { ...options, random: () => 0 }), ceiling / 2, `attempt ${attempt}, least jitter`);
    assert.equal(backoffDelay(attempt, { ...options, random: () => 0.999999 }), ceiling - 1, `attempt ${attempt}, most jitter`);
  });
});

test('backoff spreads clients dropped together over the upper half of the window', () => {
  const delays = new Set();
  for (let i = 0; i < 200; i += 1) delays.add(backoffDelay(5, { initialMs: 500, maxMs: 30_000 }));
  assert.ok(delays.size > 100, `200 clients should not come back at the same few moments (${delays.size} distinct delays)`);
  for (const delay of delays) assert.ok(delay >= 4000 && delay < 8000, `${delay} ms is outside [4000, 8000)`);
});

test('backoff stays finite for huge attempt numbers and refuses attempt 0', () => {
  assert.equal(backoffDelay(10_000, { initialMs: 500, maxMs: 30_000, random: () => 0 }), 15_000);
  assert.throws(() => backoffDelay(0), RangeError);
  assert.throws(() => backoffDelay(1.5), RangeError);
});

test('the documented give-up close codes give up and every resume code resumes', () => {
  for (const code of [4400, 4401, 4403, 4404, 1003, 1009]) assert.equal(isGiveUpCode(code), true, `${code} gives up`);
  for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 1013, 4000, 4001, 4399]) assert.equal(isGiveUpCode(code), false, `${code} resumes`);
  assert.equal(CloseCodes.notFound, 4404);
});
