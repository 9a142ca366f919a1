import { runService } from "@conduit/grpc-kit";
import { configuredProviders, envSchema } from "./config.js";
import { createServer } from "./server.js";

await runService({
  name: "provider-adapter",
  env: envSchema,
  async start(env, log) {
    const providers = configuredProviders(env);
    // Names only: keys never reach a log line.
    if (providers.length > 0) log.info({ providers }, "providers configured");
    else log.info({ providers }, "no provider key configured: the default model is conduit/scripted");
    return { server: createServer({ log, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS }) };
  },
});
