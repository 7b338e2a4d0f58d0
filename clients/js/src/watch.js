// The public API: watch() one workflow, or watchMany() over one multiplexed connection.
import { normalizeOptions } from './options.js';
import { Session } from './session.js';
import { checkAfter, checkWorkflowId } from './urls.js';

/**
 * Watches one workflow: onUpdate gets every version once, in order (the current state first unless `after` is
 * given), across reconnects, gateway restarts and transport changes, until close(), a terminal status
 * (completed, failed, cancelled; unless stopOnTerminal is false) or a give-up.
 * @param {string} workflowId
 * @param {object} options  see index.d.ts
 */
export function watch(workflowId, options) {
  checkWorkflowId(workflowId);
  const after = checkAfter(options?.after, 'options.after');
  const session = new Session('one', normalizeOptions(options, 'one'), [[workflowId, after]]);
  session.start();
  return new WorkflowWatch(session, workflowId);
}

/**
 * Watches many workflows over one connection (the gateway's /ws socket): add() and remove() change the set at any
 * time; each workflow gets every version once, in order, like watch().
 * @param {Iterable<string | { workflowId: string, after?: number }>} workflows
 * @param {object} options  see index.d.ts
 */
export function watchMany(workflows, options) {
  const initial = entriesOf(workflows ?? []);
  const session = new Session('many', normalizeOptions(options, 'many'), initial);
  session.start();
  return new MultiWatch(session);
}

/** Each handle's session, out of reach of callers (a WeakMap, so both handle classes share the common parts). */
const sessions = new WeakMap();

class Watch {
  constructor(session) {
    sessions.set(this, session);
    /** Resolves with { reason, error } when the watch has stopped: 'closed', 'finished' or 'failed'. */
    this.closed = session.closed;
  }

  get status() {
    return sessions.get(this).status;
  }

  get stats() {
    return { ...sessions.get(this).stats };
  }

  close() {
    sessions.get(this).stop('closed');
    return this.closed;
  }
}

class WorkflowWatch extends Watch {
  constructor(session, workflowId) {
    super(session);
    this.workflowId = workflowId;
  }

  /** The last version delivered (a reconnect resumes after it), or null before the first. */
  get lastVersion() {
    return sessions.get(this).subscriptions.get(this.workflowId)?.last ?? null;
  }
}

class MultiWatch extends Watch {
  /** Starts watching a workflow (from its current state, or after version `after`); a watched one only moves forward. */
  add(workflowId, { after } = {}) {
    checkWorkflowId(workflowId);
    sessions.get(this).add(workflowId, checkAfter(after));
    return this;
  }

  /** Stops watching a workflow; true when it was watched. */
  remove(workflowId) {
    return sessions.get(this).remove(workflowId);
  }

  has(workflowId) {
    return sessions.get(this).subscriptions.has(workflowId);
  }

  /** The watched workflows (finished and refused ones leave the set). */
  get workflowIds() {
    return [...sessions.get(this).subscriptions.keys()];
  }

  lastVersion(workflowId) {
    return sessions.get(this).subscriptions.get(workflowId)?.last ?? null;
  }
}

function entriesOf(workflows) {
  if (typeof workflows[Symbol.iterator] !== 'function' || typeof workflows === 'string') {
    throw new TypeError('workflows must be an array of workflow ids or { workflowId, after } objects.');
  }
  const entries = new Map();
  for (const entry of workflows) {
    const id = checkWorkflowId(typeof entry === 'string' ? entry : entry?.workflowId);
    const after = typeof entry === 'string' ? null : checkAfter(entry.after, `after of ${id}`);
    entries.set(id, after);
  }
  return entries;
}
