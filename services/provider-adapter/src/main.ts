import { runService } from "@conduit/grpc-kit";
import { configuredProviders, envSchema, loadScript } from "./config.js";
import type { ModelProvider } from "./core/model-provider.js";
import { createAnthropicProvider } from "./providers/anthropic/anthropic-provider.js";
import { createOpenAIChatProvider } from "./providers/openai-chat/openai-chat-provider.js";
import { createScriptedProvider } from "./providers/scripted/scripted-provider.js";
import { SCRIPTED_HANDLE } from "./providers/scripted/script.js";
import { AddressPolicy } from "./images/address-policy.js";
import { ProviderRegistry } from "./registry.js";
import { createServer } from "./server.js";

await runService({
  name: "provider-adapter",
  env: envSchema,
  async start(env, log) {
    const providers = configuredProviders(env);
    // Names only: keys never reach a log line.
    if (providers.length > 0) log.info({ providers }, "provider keys configured (openai and anthropic have adapters so far)");
    else log.info({ providers }, "no provider key configured: the default model is conduit/scripted");
    const available: ModelProvider[] = [createScriptedProvider({ defaultScript: loadScript(env.CONDUIT_SCRIPTED_MODEL_FILE) })];
    if (providers.includes("openai")) {
      // OpenAI-compatible servers by base URL often need no key; the SDK insists on one.
      available.push(createOpenAIChatProvider({ apiKey: env.OPENAI_API_KEY ?? "unset", baseURL: env.OPENAI_BASE_URL }));
    }
    if (env.ANTHROPIC_API_KEY) {
      available.push(createAnthropicProvider({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL }));
    }
    const registry = new ProviderRegistry(available, SCRIPTED_HANDLE);
    return {
      server: createServer({
        log,
        registry,
        internalKey: env.CONDUIT_INTERNAL_KEY,
        retry: {
          maxAttempts: env.CONDUIT_RETRY_MAX_ATTEMPTS,
          baseDelayMs: env.CONDUIT_RETRY_BASE_MS,
          maxDelayMs: env.CONDUIT_RETRY_MAX_DELAY_MS,
        },
        stallTimeoutMs: env.CONDUIT_STALL_TIMEOUT_MS,
        images: {
          policy: new AddressPolicy(env.CONDUIT_IMAGE_FETCH_ALLOW),
          maxBytes: env.CONDUIT_IMAGE_MAX_BYTES,
          timeoutMs: env.CONDUIT_IMAGE_FETCH_TIMEOUT_MS,
        },
        healthIntervalMs: env.CONDUIT_HEALTH_INTERVAL_MS,
      }),
    };
  },
});
