import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram };

/** The one registry of a service process: its own metrics and Node's process metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "conduit_" });

/** Streams this service has open: gRPC server streams, and agent-loop's HTTP chat streams. */
export const activeStreams = new Gauge({ name: "conduit_active_streams", help: "Open server streams of this service.", registers: [registry] });

/** Serves `GET /metrics` in Prometheus' text format. */
export async function serveMetrics(host: string, port: number): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    address: `${address}:${bound}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
