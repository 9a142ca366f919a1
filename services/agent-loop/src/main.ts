import { runService } from "@conduit/grpc-kit";
import { openBus } from "./adapters/bus.js";
import { envSchema } from "./config.js";
import { createServer } from "./server.js";

await runService({
  name: "agent-loop",
  env: envSchema,
  async start(env, log) {
    // The bus reports disconnects before the server exists; health picks them up from then on.
    let refreshHealth = () => {};
    const bus = await openBus(env.NATS_URL, log, () => refreshHealth());
    const server = createServer({ log, bus, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS });
    refreshHealth = () => void server.health.refresh();
    return { server, close: () => bus.close() };
  },
});
