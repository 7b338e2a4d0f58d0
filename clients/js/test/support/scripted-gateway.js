// An in-process HTTP + WebSocket server on a free loopback port that plays a gateway's part as a test scripts it
// (close with a code, answer a ping, refuse the upgrade, serve history): for the client's own logic under a fake
// clock. The real gateways are exercised by the e2e tests.
import http from 'node:http';
import { WebSocketServer } from 'ws';

export class ScriptedGateway {
  /**
   * @param {{ onSocket?: (socket: import('ws').WebSocket, request: http.IncomingMessage) => void,
   *           onUpgrade?: (request: http.IncomingMessage) => number | undefined,
   *           onHttp?: (request: http.IncomingMessage, response: http.ServerResponse) => void }} script
   */
  static async start(script) {
    const gateway = new ScriptedGateway();
    gateway.upgrades = []; // { url, headers } of every upgrade request
    gateway.requests = []; // { url, headers } of every plain HTTP request
    gateway.sockets = [];
    const wss = new WebSocketServer({ noServer: true });
    gateway.server = http.createServer((request, response) => {
      gateway.requests.push({ url: request.url, headers: request.headers });
      if (script.onHttp) script.onHttp(request, response);
      else response.writeHead(404).end();
    });
    gateway.server.on('upgrade', (request, socket, head) => {
      gateway.upgrades.push({ url: request.url, headers: request.headers });
      const refuse = script.onUpgrade?.(request);
      if (refuse) {
        socket.end(`HTTP/1.1 ${refuse} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        gateway.sockets.push(ws);
        script.onSocket?.(ws, request);
      });
    });
    gateway.wss = wss;
    await new Promise((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
    gateway.baseUrl = `http://127.0.0.1:${gateway.server.address().port}`;
    return gateway;
  }

  async stop() {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** An update as the gateway sends it. */
export function update(workflowId, version, status = 'running') {
  return { workflow_id: workflowId, version, status, current_step: version, total_steps: 100, message: `v${version}`, timestamp: new Date(0).toISOString() };
}
