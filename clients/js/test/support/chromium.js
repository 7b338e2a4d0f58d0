// Headless Debian Chromium driven over the DevTools protocol (CDP), for running the package in a real browser:
// its own WebSocket and fetch, the page's origin as the default baseUrl, the token in access_token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { poll } from './poll.js';
import { ManagedProcess } from './processes.js';

const CHROMIUM = '/usr/bin/chromium';

export class Chromium {
  static async start() {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium).`);
    const browser = new Chromium();
    browser.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vapora-js-chromium-'));
    browser.process = new ManagedProcess('chromium', CHROMIUM, [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0',
      `--user-data-dir=${browser.profile}`, 'about:blank',
    ]);
    // Chromium writes the port it chose (and the browser endpoint's path) to DevToolsActivePort.
    const portFile = path.join(browser.profile, 'DevToolsActivePort');
    await poll(() => {
      if (browser.process.hasExited) throw new Error(`chromium exited: ${browser.process.tail()}`);
      return fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim().split('\n').length === 2;
    }, 30_000, 'Chromium to open its DevTools port');
    const [port, endpoint] = fs.readFileSync(portFile, 'utf8').trim().split('\n');
    browser.socket = new WebSocket(`ws://127.0.0.1:${port}${endpoint}`, { perMessageDeflate: false });
    browser.nextId = 1;
    browser.pending = new Map();
    browser.socket.on('message', (data) => {
      const message = JSON.parse(data);
      const waiter = browser.pending.get(message.id);
      if (!waiter) return;
      browser.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`)); else waiter.resolve(message.result);
    });
    await new Promise((resolve, reject) => {
      browser.socket.once('open', resolve);
      browser.socket.once('error', reject);
    });
    return browser;
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from Chromium within 30 s`));
      }, 30_000);
      this.pending.set(id, {
        method,
        resolve: (value) => { clearTimeout(timer); resolve(value); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Opens a tab at `url` once it has loaded; evaluate(expression) runs in it and returns the (awaited) value. */
  async open(url) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    await this.send('Page.navigate', { url }, sessionId);
    const tab = {
      evaluate: async (expression) => {
        const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
        if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
        return result.value;
      },
      close: () => this.send('Target.closeTarget', { targetId }),
    };
    await poll(async () => (await tab.evaluate('document.readyState')) === 'complete' && (await tab.evaluate('location.href')) === url,
      20_000, `${url} to load`);
    return tab;
  }

  async stop() {
    this.socket?.terminate();
    // Chromium's helpers (zygotes, renderers, utilities, crashpad) may outlive the browser for a moment and keep
    // writing into the profile, and not every one names the profile on its command line (zygotes fork renderers).
    // So the browser's whole process tree is taken before it stops, and anything still holding a file under the
    // profile afterwards counts too: stop them all, wait until none is left, then remove the profile.
    const tree = this.process?.child?.pid ? descendantsOf(this.process.child.pid) : [];
    await this.process?.stop(5000);
    const helpers = () => [...new Set([
      ...tree.filter(isAlive),
      ...processesWithArgument(`--user-data-dir=${this.profile}`),
      ...processesUsing(this.profile),
    ])];
    await poll(() => {
      const left = helpers();
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      return left.length === 0;
    }, 10_000, "Chromium's helper processes to exit");
    await poll(() => {
      try {
        fs.rmSync(this.profile, { recursive: true, force: true });
        return true;
      } catch (error) {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EBUSY') throw error;
        return false; // a file appeared while removing: try again until the deadline
      }
    }, 10_000, `the Chromium profile ${this.profile} to be removed`);
  }
}

/** The live descendants of `root` (children, their children…), read from /proc. */
function descendantsOf(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone while reading.
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function isAlive(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes with their working directory or an open file under `folder`. */
function processesUsing(folder) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const paths = [fs.readlinkSync(`/proc/${entry}/cwd`)];
      for (const fd of fs.readdirSync(`/proc/${entry}/fd`)) {
        try {
          paths.push(fs.readlinkSync(`/proc/${entry}/fd/${fd}`));
        } catch {
          // Closed while reading.
        }
      }
      if (paths.some((p) => p === folder || p.startsWith(`${folder}/`)) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // Gone while reading, or not ours to read.
    }
  }
  return pids;
}

/** Live processes (not zombies) with `argument` on their command line. */
function processesWithArgument(argument) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && args.includes(argument)) pids.push(Number(entry));
    } catch {
      // Gone while reading.
    }
  }
  return pids;
}
