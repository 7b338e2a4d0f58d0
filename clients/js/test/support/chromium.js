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
    await this.process?.stop(5000);
    // Chromium's helpers (zygotes, renderers, utilities) may outlive the browser for a moment and keep writing into
    // the profile: each carries --user-data-dir=<profile>, a directory only this browser uses. Stop them, wait until
    // none is left, then remove the profile.
    const helpers = () => processesWithArgument(`--user-data-dir=${this.profile}`);
    for (const pid of helpers()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await poll(() => helpers().length === 0, 10_000, "Chromium's helper processes to exit");
    fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
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
