import { runService } from "@conduit/grpc-kit";
import { envSchema } from "./config.js";
import { createServer } from "./server.js";

await runService({
  name: "provider-adapter",
  env: envSchema,
  async start(env, log) {
    return { server: createServer({ log, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS }) };
  },
});
