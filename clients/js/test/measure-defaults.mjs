// Not a test: measures, with default options, the time to the first update when WebSockets are blocked (fallback
// to polling) and the gap a gateway SIGKILL leaves. Run: node clients/js/test/measure-defaults.mjs [runs]
import WebSocket from 'ws';
import { watch } from '../src/index.js';
import { Stack } from './support/stack.js';
import { ApiClient } from './support/api.js';
import { poll } from './support/poll.js';
const runs = Number(process.argv[2] ?? 5);
const stack = await Stack.start({ blockWebSockets: true });
const api = new ApiClient(stack.api.baseUrl);
const fallback = [], failover = [];
try {
  for (let i = 0; i < runs; i++) {
    const id = await api.create();
    const t0 = performance.now(); let first;
    const w = watch(id, { baseUrl: stack.baseUrl, WebSocket, onUpdate: () => { first ??= performance.now(); } });
    await poll(() => first !== undefined, 30000, 'first');
    fallback.push(first - t0); await w.close();
  }
  await stack.nginx.reconfigure(stack.gateways, stack.api, { blockWebSockets: false });
  for (let i = 0; i < runs; i++) {
    const id = await api.create(); const seen = [];
    const w = watch(id, { baseUrl: stack.baseUrl, WebSocket, onUpdate: (u) => seen.push(u.version) });
    await poll(() => seen.length === 1, 30000, 'state');
    const victim = await stack.gatewayHoldingSocket();
    const t0 = performance.now();
    await victim.kill();
    await api.progress(id, 1);
    await poll(() => seen.at(-1) === 2, 30000, 'v2');
    failover.push(performance.now() - t0);
    await w.close(); await stack.reviveGateways();
    await poll(async () => (await stack.gatewayWithConnections(1)) === undefined, 20000, 'quiet');
  }
} finally { await stack.stop(); }
const fmt = (a) => { a.sort((x, y) => x - y); return `median ${a[a.length >> 1].toFixed(0)} ms, min ${a[0].toFixed(0)}, max ${a.at(-1).toFixed(0)} (n=${a.length})`; };
console.log('blocked WebSockets, watch() to first update over polling:', fmt(fallback));
console.log('gateway SIGKILL to the next version delivered:', fmt(failover));
