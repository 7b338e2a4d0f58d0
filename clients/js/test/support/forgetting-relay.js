// A TCP relay in front of the load balancer that can forget its open flows, as a NAT or a cloud load balancer does:
// a forgotten connection never carries another byte either way and is never closed (no FIN, no RST); connections
// made after forget() pass. Only the client's own timeouts can tell.
import net from 'node:net';

export async function startForgettingRelay(targetUrl) {
  const target = new URL(targetUrl);
  const flows = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const flow = { client, upstream, forgotten: false };
    flows.add(flow);
    const forward = (from, to) => from.on('data', (chunk) => { if (!flow.forgotten) to.write(chunk); });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      if (flow.forgotten) return; // a forgotten flow tells neither side anything
      flows.delete(flow);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    /** Forgets every open connection; new ones pass. */
    forget() {
      for (const flow of flows) flow.forgotten = true;
    },
    async stop() {
      for (const { client, upstream } of flows) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
