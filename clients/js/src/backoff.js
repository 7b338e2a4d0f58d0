// Exponential backoff with "equal jitter", the same rule as the .NET client (libs/client/ReconnectBackoff.cs):
// attempt n waits between half and all of min(max, initial × 2^(n-1)), so clients dropped together (a gateway
// restart drops thousands at once) do not come back together.

/**
 * The delay before reconnect attempt `attempt` (1-based), in whole milliseconds (at least 1).
 * @param {number} attempt
 * @param {{ initialMs?: number, maxMs?: number, random?: () => number }} [options]
 */
export function backoffDelay(attempt, { initialMs = 500, maxMs = 30_000, random = Math.random } = {}) {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer of 1 or more, not ${attempt}`);
  }
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  const half = ceiling / 2;
  return Math.max(1, Math.floor(half + random() * (ceiling - half)));
}
