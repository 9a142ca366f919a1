import { runService } from "@conduit/grpc-kit";
import { configuredProviders, envSchema, loadScript } from "./config.js";
import type { ModelProvider } from "./core/model-provider.js";
import { createAnthropicProvider } from "./providers/anthropic/anthropic-provider.js";
import { createBedrockProvider } from "./providers/anthropic-cloud/bedrock-provider.js";
import { googleAuthClient } from "./providers/anthropic-cloud/google-auth.js";
import { createVertexProvider } from "./providers/anthropic-cloud/vertex-provider.js";
import { createGeminiProvider } from "./providers/gemini/gemini-provider.js";
import { createOpenAIChatProvider } from "./providers/openai-chat/openai-chat-provider.js";
import { createAzureOpenAIProvider, createOpenAIResponsesProvider } from "./providers/openai-responses/openai-responses-provider.js";
import { createScriptedProvider } from "./providers/scripted/scripted-provider.js";
import { SCRIPTED_HANDLE } from "./providers/scripted/script.js";
import { AddressPolicy } from "./images/address-policy.js";
import { modelCatalog } from "./configured-models.js";
import { ProviderRegistry } from "./registry.js";
import { createServer } from "./server.js";

await runService({
  name: "provider-adapter",
  env: envSchema,
  async start(env, log) {
    const providers = configuredProviders(env);
    // Names only: keys never reach a log line.
    if (providers.length > 0) log.info({ providers }, "provider keys configured");
    else log.info({ providers }, "no provider key configured: the default model is conduit/scripted");
    const available: ModelProvider[] = [createScriptedProvider({ defaultScript: loadScript(env.CONDUIT_SCRIPTED_MODEL_FILE) })];
    if (providers.includes("openai")) {
      // OpenAI-compatible servers by base URL often need no key; the SDK insists on one.
      available.push(createOpenAIChatProvider({ apiKey: env.OPENAI_API_KEY ?? "unset", baseURL: env.OPENAI_BASE_URL }));
      // `openai/` stays Chat Completions, which every OpenAI-compatible server speaks.
      available.push(createOpenAIResponsesProvider({ apiKey: env.OPENAI_API_KEY ?? "unset", baseURL: env.OPENAI_BASE_URL }));
    }
    if (env.ANTHROPIC_API_KEY) {
      available.push(createAnthropicProvider({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL }));
    }
    if (env.GEMINI_API_KEY) {
      available.push(createGeminiProvider({ apiKey: env.GEMINI_API_KEY, baseURL: env.GEMINI_BASE_URL }));
    }
    if (env.AZURE_OPENAI_API_KEY && env.AZURE_OPENAI_ENDPOINT) {
      available.push(
        createAzureOpenAIProvider({
          apiKey: env.AZURE_OPENAI_API_KEY,
          endpoint: env.AZURE_OPENAI_ENDPOINT,
          apiVersion: env.AZURE_OPENAI_API_VERSION,
        }),
      );
    }
    if (env.AWS_REGION && providers.includes("bedrock")) {
      available.push(
        createBedrockProvider({
          region: env.AWS_REGION,
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
          baseURL: env.BEDROCK_BASE_URL,
        }),
      );
    }
    if (env.ANTHROPIC_VERTEX_PROJECT_ID && env.CLOUD_ML_REGION) {
      available.push(
        createVertexProvider({
          projectId: env.ANTHROPIC_VERTEX_PROJECT_ID,
          region: env.CLOUD_ML_REGION,
          authClient: await googleAuthClient(env.ANTHROPIC_VERTEX_ACCESS_TOKEN),
          baseURL: env.ANTHROPIC_VERTEX_BASE_URL,
        }),
      );
    }
    const catalog = modelCatalog(env, available.map((p) => p.name), SCRIPTED_HANDLE);
    if (providers.length > 0 && catalog.defaultModel === SCRIPTED_HANDLE) {
      log.warn("providers are configured but the default model is conduit/scripted: set CONDUIT_DEFAULT_MODEL or CONDUIT_MODELS");
    }
    const registry = new ProviderRegistry(available, catalog.defaultModel, catalog.listed);
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
