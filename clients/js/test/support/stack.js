// The system under test, as a user deploys it: Redis, the API and two gateways behind nginx (round-robin).
import { poll } from './poll.js';
import { Nginx, startApi, startGateway, startRedis } from './processes.js';

export class Stack {
  /** @param {{ env?: object, apiEnv?: object, gatewayEnv?: object, blockWebSockets?: boolean, blockEventStreams?: boolean, serveFiles?: string }} [options] */
  static async start({ env = {}, apiEnv = {}, gatewayEnv = {}, blockWebSockets = false, blockEventStreams = false, serveFiles = null } = {}) {
    const stack = new Stack();
    try {
      stack.redis = await startRedis();
      stack.api = await startApi(stack.redis, { ...env, ...apiEnv });
      stack.gateways = await Promise.all([0, 1].map(() => startGateway(stack.redis, stack.api, { ...env, ...gatewayEnv })));
      stack.nginx = await Nginx.start(stack.gateways, stack.api, { blockWebSockets, blockEventStreams, serveFiles });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get baseUrl() {
    return this.nginx.baseUrl;
  }

  /** The gateway that holds a socket, once one reports it (scrapes may be cached for a moment). */
  async gatewayHoldingSocket() {
    let holder;
    await poll(async () => (holder = await this.gatewayWithConnections(1)) !== undefined, 10_000, 'a gateway to report the socket');
    return holder;
  }

  /** The gateway that reports at least `count` connections, sockets or event streams (its vapora_gateway_connections), or undefined. */
  async gatewayWithConnections(count = 1) {
    for (const gateway of this.gateways) {
      if (!gateway.process.hasExited && (await gateway.metric('vapora_gateway_connections')) >= count) return gateway;
    }
    return undefined;
  }

  /** Brings every killed gateway back (same port, same settings), so the next test starts with two. */
  async reviveGateways() {
    for (const gateway of this.gateways) if (gateway.process.hasExited) await gateway.launch();
  }

  async stop() {
    // Each stop is by the process's own PID; one failing must not leave the others running.
    const stops = [this.nginx, ...(this.gateways ?? []), this.api, this.redis].filter(Boolean).map((p) => p.stop());
    await Promise.allSettled(stops);
  }
}
