// Real processes for the tests (redis-server, the built .NET services, nginx), the Node counterpart of
// tests/Vapora.Testing: loopback only, free ports, output in artifacts/test-logs, and every process stopped by its
// own PID — on dispose, and on exit or a signal when a test dies half-way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { poll } from './poll.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const logDirectory = path.join(repoRoot, 'artifacts', 'test-logs');

/** Every process started here and not yet reaped: killed (with its children) if this test process goes down. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) killTree(child.pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killTree(child.pid, 'SIGKILL');
    process.exit(128 + os.constants.signals[signal]);
  });
}

/**
 * A free loopback TCP port, drawn below the kernel's ephemeral range as TestPorts.GetFree does: a port from
 * listen(0) is released before the server binds it, and meanwhile any outgoing connection may take it as its local
 * port. Below the range only listeners compete; no port is handed out twice by this process.
 */
const ephemeralLow = (() => {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();
const handedOut = new Set();

export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10000 + Math.floor(Math.random() * (ephemeralLow - 10000));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between 10000 and ${ephemeralLow} (the ephemeral range's start) after 200 attempts`);
}

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export class ManagedProcess {
  constructor(name, command, args, { env = {}, cwd = repoRoot } = {}) {
    fs.mkdirSync(logDirectory, { recursive: true });
    const stamp = new Date().toISOString().slice(11, 23).replaceAll(':', '');
    this.name = name;
    this.logPath = path.join(logDirectory, `${stamp}-js-${name}.log`);
    const log = fs.openSync(this.logPath, 'a');
    this.child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.pid = this.child.pid;
    this.exitCode = undefined;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        running.delete(this);
        resolve(this.exitCode);
      });
      this.child.once('error', (error) => {
        this.exitCode = error.message;
        running.delete(this);
        resolve(this.exitCode);
      });
    });
    running.add(this);
  }

  get hasExited() {
    return this.exitCode !== undefined;
  }

  /** kill -9 (with the process's children, e.g. nginx workers): no chance to clean up. */
  async kill() {
    if (!this.hasExited) killTree(this.pid, 'SIGKILL');
    await this.waitForExit(10_000);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000) {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    if (!(await this.waitForExit(graceMs))) await this.kill();
  }

  async waitForExit(timeoutMs) {
    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const result = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** The last lines the process wrote, for failure messages. */
  tail(lines = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/** Kills `pid` and, first, its descendants (read from /proc): only processes this test started. */
function killTree(pid, signal) {
  for (const child of childrenOf(pid)) killTree(child, signal);
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** False for a process that is gone or a zombie waiting to be reaped. */
function isAlive(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function childrenOf(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

export async function startRedis() {
  const port = await freePort();
  const redis = new ManagedProcess(`redis-${port}`, 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  redis.port = port;
  redis.connectionString = `127.0.0.1:${port}`;
  await poll(async () => {
    if (redis.hasExited) throw new Error(`redis-server exited: ${redis.tail()}`);
    return (await redisCommand(port, 'PING')) === '+PONG';
  }, 20_000, `redis-server on ${port} to answer PING`);
  return redis;
}

function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.on('error', reject);
    socket.on('data', (data) => {
      resolve(data.toString().trim());
      socket.end();
    });
    socket.write(`${command}\r\n`);
  });
}

const BASE_SERVICE_ENV = {
  ASPNETCORE_ENVIRONMENT: 'Production',
  Auth__Mode: 'none',
  DOTNET_gcServer: '0',
  Logging__Console__FormatterName: 'simple',
  Logging__Console__FormatterOptions__SingleLine: 'true',
  Logging__Console__FormatterOptions__TimestampFormat: 'HH:mm:ss.fff ',
};

function serviceDll(folder, assembly) {
  const dll = path.join(repoRoot, 'services', folder, 'bin', 'Release', 'net10.0', `${assembly}.dll`);
  if (!fs.existsSync(dll)) {
    throw new Error(`${dll} is not built. Build the solution first: dotnet build Vapora.sln -c Release`);
  }
  return dll;
}

/** A .NET service on a free port; restart() brings it back on the same port with the same settings. */
export class ServiceProcess {
  constructor(name, dll, port, env) {
    this.name = name;
    this.dll = dll;
    this.port = port;
    this.env = env;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.process = null;
  }

  static async start(name, dll, env) {
    const service = new ServiceProcess(name, dll, await freePort(), { ...BASE_SERVICE_ENV, ...env });
    await service.launch();
    return service;
  }

  get pid() {
    return this.process.pid;
  }

  async launch() {
    this.process = new ManagedProcess(`${this.name}-${this.port}`, 'dotnet', [this.dll, '--urls', this.baseUrl],
      { env: this.env, cwd: path.dirname(this.dll) });
    try {
      await poll(async () => {
        if (this.process.hasExited) throw new Error(`${this.name} exited during start-up:\n${this.process.tail()}`);
        const response = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      }, 60_000, `${this.name} to answer /health/live`);
    } catch (error) {
      await this.process.kill();
      throw error;
    }
  }

  /** kill -9. */
  kill() {
    return this.process.kill();
  }

  async restart() {
    await this.process.kill();
    await this.launch();
  }

  /** One value of the Prometheus scrape (summed over its series), or 0. */
  async metric(name) {
    const text = await (await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  stop() {
    return this.process?.stop() ?? Promise.resolve();
  }
}

export function startApi(redis, env = {}) {
  return ServiceProcess.start('api', serviceDll('workflow-api', 'Vapora.WorkflowApi'),
    { ConnectionStrings__redis: redis.connectionString, Storage__Provider: 'memory', ...env });
}

export function startGateway(redis, api, env = {}) {
  return ServiceProcess.start('gateway', serviceDll('realtime-gateway', 'Vapora.RealtimeGateway'),
    { ConnectionStrings__redis: redis.connectionString, Gateway__WorkflowApiUrl: `${api.baseUrl}/`, ...env });
}

/**
 * A real nginx with the shipped routes (deploy/nginx), round-robin over the gateways, as NginxServer.cs templates
 * them. blockWebSockets: strips the upgrade headers in the socket locations, like a proxy that breaks WebSockets
 * (the gateway then answers 426 and no socket opens); blockEventStreams: answers 403 on the SSE locations, like a
 * proxy that refuses them; reconfigure() switches at run time (nginx reload).
 */
export class Nginx {
  /** serveFiles: a folder served at /__files/ (test pages and the package's modules, same origin as the gateways). */
  static async start(gateways, api, { blockWebSockets = false, blockEventStreams = false, serveFiles = null } = {}) {
    const nginx = new Nginx();
    nginx.serveFiles = serveFiles;
    nginx.directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vapora-js-nginx-'));
    nginx.port = await freePort();
    nginx.baseUrl = `http://127.0.0.1:${nginx.port}`;
    nginx.writeConfig(gateways, api, blockWebSockets, blockEventStreams);
    const binary = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
    const config = path.join(nginx.directory, 'nginx.conf');
    nginx.process = new ManagedProcess(`nginx-${nginx.port}`, binary,
      ['-p', nginx.directory, '-c', config, '-e', path.join(nginx.directory, 'error.log')]);
    await poll(async () => {
      if (nginx.process.hasExited) throw new Error(`nginx exited: ${nginx.process.tail()} ${nginx.errors()}`);
      return canConnect(nginx.port);
    }, 20_000, `nginx to listen on ${nginx.port}`);
    return nginx;
  }

  writeConfig(gateways, api, blockWebSockets, blockEventStreams = false) {
    const shipped = (file) => fs.readFileSync(path.join(repoRoot, 'deploy', 'nginx', file), 'utf8');
    // Test-only files: a prefix location that wins over the shipped ones, with the MIME types module scripts need.
    const files = this.serveFiles
      ? `\n    location ^~ /__files/ {\n        alias ${this.serveFiles}/;\n        types { text/html html; text/javascript js; application/json json; }\n    }`
      : '';
    const routes = shipped('vapora-routes.conf')
      .replace('listen ${VAPORA_LISTEN};', `listen 127.0.0.1:${this.port};${files}`)
      .replace('${VAPORA_GATEWAY_SERVERS}', gateways.map((g) => `server 127.0.0.1:${g.port} max_fails=0;`).join('\n        '))
      .replace('${VAPORA_API_SERVER}', `127.0.0.1:${api.port}`);
    let websocket = shipped('vapora-websocket.conf');
    if (blockWebSockets) {
      const blocked = websocket
        .replace('proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Upgrade "";')
        .replace('proxy_set_header Connection $connection_upgrade;', 'proxy_set_header Connection "";');
      if (blocked === websocket || blocked.includes('$http_upgrade')) {
        throw new Error('deploy/nginx/vapora-websocket.conf changed: update how the tests strip the upgrade headers.');
      }
      websocket = blocked;
    }
    // The shipped SSE include, or a refusal in its place (its directives would be rejected after a return).
    const eventStream = blockEventStreams ? 'return 403;\n' : shipped('vapora-event-stream.conf');
    const user = process.getuid?.() === 0 ? 'user root;' : '';
    fs.writeFileSync(path.join(this.directory, 'vapora-websocket.conf'), websocket);
    fs.writeFileSync(path.join(this.directory, 'vapora-event-stream.conf'), eventStream);
    fs.writeFileSync(path.join(this.directory, 'nginx.conf'), `${user}
worker_processes 1;
worker_shutdown_timeout 1s;
daemon off;
pid ${this.directory}/nginx.pid;
error_log ${this.directory}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${this.directory}/client_body;
    proxy_temp_path ${this.directory}/proxy;
    fastcgi_temp_path ${this.directory}/fastcgi;
    uwsgi_temp_path ${this.directory}/uwsgi;
    scgi_temp_path ${this.directory}/scgi;
${routes}
}
`);
  }

  /**
   * Rewrites the configuration and reloads it (SIGHUP); resolves once the old worker has exited, so that every
   * connection from now on, kept-alive ones included, meets the new configuration. The old worker closes what it
   * still carries (sockets included) after worker_shutdown_timeout.
   */
  async reconfigure(gateways, api, { blockWebSockets = false, blockEventStreams = false } = {}) {
    this.writeConfig(gateways, api, blockWebSockets, blockEventStreams);
    const oldWorkers = childrenOf(this.process.pid);
    process.kill(this.process.pid, 'SIGHUP');
    try {
      await poll(() => {
        const workers = childrenOf(this.process.pid).filter(isAlive);
        return workers.length > 0 && !workers.some((pid) => oldWorkers.includes(pid)) && !oldWorkers.some(isAlive);
      }, 20_000, `nginx to reload with WebSockets ${blockWebSockets ? 'blocked' : 'allowed'}`);
    } catch (error) {
      throw new Error(`${error.message}\nnginx error.log:\n${this.errors()}`);
    }
    if ((await upgradeWorks(`${this.baseUrl.replace('http', 'ws')}/ws`)) === blockWebSockets) {
      throw new Error(`nginx reloaded, but WebSocket upgrades are ${blockWebSockets ? 'still' : 'not'} getting through.`);
    }
  }

  errors() {
    try {
      return fs.readFileSync(path.join(this.directory, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async stop() {
    await this.process?.stop();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Whether a WebSocket upgrade to `url` succeeds (the socket is closed again at once). */
function upgradeWorks(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('no answer to the upgrade')); }, 5000);
    socket.once('open', () => { clearTimeout(timer); socket.close(); resolve(true); });
    socket.once('unexpected-response', () => { clearTimeout(timer); socket.terminate(); resolve(false); });
    socket.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
