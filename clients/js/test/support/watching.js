// Records what a watch reports, for assertions.
import WebSocket from 'ws';
import { watch, watchMany } from '../../src/index.js';

/** watch() with recording callbacks; `versions` are the delivered versions in delivery order. */
export function recordWatch(id, options) {
  const record = { versions: [], updates: [], statuses: [], errors: [] };
  record.handle = watch(id, {
    WebSocket,
    onUpdate: (update) => {
      record.updates.push(update);
      record.versions.push(update.version);
    },
    onStatus: (status) => record.statuses.push(status),
    onError: (error) => record.errors.push(error),
    ...options,
  });
  return record;
}

/** watchMany() with recording callbacks; `versions.get(id)` are the delivered versions of id in delivery order. */
export function recordWatchMany(ids, options) {
  const record = { versions: new Map(), statuses: [], errors: [] };
  record.handle = watchMany(ids, {
    WebSocket,
    onUpdate: (update) => {
      if (!record.versions.has(update.workflow_id)) record.versions.set(update.workflow_id, []);
      record.versions.get(update.workflow_id).push(update.version);
    },
    onStatus: (status) => record.statuses.push(status),
    onError: (error) => record.errors.push(error),
    ...options,
  });
  return record;
}

/** [from, …, to] */
export function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The transports a watch went live on, in order, without repeats. */
export function liveTransports(statuses) {
  const live = statuses.filter((s) => s.state === 'live').map((s) => s.transport);
  return live.filter((transport, i) => i === 0 || live[i - 1] !== transport);
}
