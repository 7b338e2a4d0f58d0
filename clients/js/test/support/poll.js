// Waiting in tests: poll a condition until a deadline, never sleep a fixed time (as Vapora.Testing.Poll does).

/**
 * Resolves when `condition` returns true; rejects at the deadline with `what` (and the last error seen).
 * @param {() => boolean | Promise<boolean>} condition
 */
export async function poll(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
