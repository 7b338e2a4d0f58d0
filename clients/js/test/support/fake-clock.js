// A clock the test moves by hand, injected as options.timers: backoff and probe delays become exact and instant.
export class FakeClock {
  constructor() {
    this.now = 0;
    this.nextId = 1;
    /** @type {Map<number, { due: number, delay: number, callback: () => void }>} */
    this.timers = new Map();
    /** Every delay ever asked for, in order. */
    this.requested = [];
    this.setTimeout = (callback, delay = 0) => {
      const id = this.nextId++;
      this.timers.set(id, { due: this.now + delay, delay, callback });
      this.requested.push(delay);
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Runs every timer due within `ms` (also ones scheduled meanwhile), in due order. */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.due <= end).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
      if (!next) break;
      const [id, timer] = next;
      this.timers.delete(id);
      this.now = timer.due;
      timer.callback();
    }
    this.now = end;
  }

  /** Delays of the timers still pending, soonest first. */
  pending() {
    return [...this.timers.values()].sort((a, b) => a.due - b.due).map((t) => t.due - this.now);
  }
}
