import { runService } from "@conduit/grpc-kit";
import { configuredProviders, envSchema, loadScript } from "./config.js";
import { createScriptedProvider } from "./providers/scripted/scripted-provider.js";
import { SCRIPTED_HANDLE } from "./providers/scripted/script.js";
import { ProviderRegistry } from "./registry.js";
import { createServer } from "./server.js";

await runService({
  name: "provider-adapter",
  env: envSchema,
  async start(env, log) {
    const providers = configuredProviders(env);
    // Names only: keys never reach a log line.
    if (providers.length > 0) log.info({ providers }, "provider keys configured (their adapters are not built yet)");
    else log.info({ providers }, "no provider key configured: the default model is conduit/scripted");
    const registry = new ProviderRegistry(
      [createScriptedProvider({ defaultScript: loadScript(env.CONDUIT_SCRIPTED_MODEL_FILE) })],
      SCRIPTED_HANDLE,
    );
    return {
      server: createServer({ log, registry, internalKey: env.CONDUIT_INTERNAL_KEY, healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS }),
    };
  },
});
