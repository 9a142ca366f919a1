import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import type { AuthClient } from "google-auth-library";
import type { ModelProvider } from "../../core/model-provider.js";
import { createAnthropicMessagesProvider } from "../anthropic/anthropic-provider.js";
import { classifyAnthropicError } from "../anthropic/classify-anthropic-error.js";

export interface VertexProviderSettings {
  projectId: string;
  /** A Vertex AI region (`us-east5`, `europe-west1`, …) or `global`. */
  region: string;
  /** Google credentials (see googleAuthClient); the SDK asks it for headers on every request. */
  authClient: AuthClient;
  /** The API root; unset means the region's `aiplatform.googleapis.com/v1`. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `vertex`. */
  name?: string | undefined;
}

/**
 * Anthropic models on Google Vertex AI through `@anthropic-ai/vertex-sdk`: the Messages request
 * goes to `…/publishers/anthropic/models/<model>:streamRawPredict` with a Google bearer token,
 * and the answer is Anthropic's SSE stream, errors included (Google's own errors, such as quota
 * or permission ones, come with their HTTP status). Handles are `vertex/<model>`.
 */
export function createVertexProvider(settings: VertexProviderSettings): ModelProvider {
  const client = new AnthropicVertex({
    projectId: settings.projectId,
    region: settings.region,
    // Given, so the SDK does not start its own Application Default Credentials lookup.
    authClient: settings.authClient,
    ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    maxRetries: 0,
    logLevel: "off",
  });
  return createAnthropicMessagesProvider({ name: settings.name ?? "vertex", client, classify: classifyAnthropicError });
}
