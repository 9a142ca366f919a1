import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import type { ModelProvider } from "../../core/model-provider.js";
import { createAnthropicMessagesProvider } from "../anthropic/anthropic-provider.js";
import { classifyBedrockError } from "./classify-bedrock-error.js";

export interface BedrockProviderSettings {
  region: string;
  /** Static keys; both unset means the default AWS credential chain (role, profile, SSO, …). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** The runtime endpoint; unset means `https://bedrock-runtime.<region>.amazonaws.com`. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `bedrock`. */
  name?: string | undefined;
}

/**
 * Anthropic models on Amazon Bedrock through `@anthropic-ai/bedrock-sdk`: the Messages request
 * goes to `/model/<model id>/invoke-with-response-stream`, signed with SigV4, and the SDK turns
 * the AWS event-stream answer back into Anthropic's events. Handles are `bedrock/<model id>`.
 */
export function createBedrockProvider(settings: BedrockProviderSettings): ModelProvider {
  const options = {
    awsRegion: settings.region,
    // Null, not unset: a stray AWS_BEARER_TOKEN_BEDROCK in the environment would replace SigV4.
    apiKey: null,
    ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    maxRetries: 0,
    logLevel: "off" as const,
  };
  const { accessKeyId, secretAccessKey } = settings;
  const client =
    accessKeyId && secretAccessKey
      ? new AnthropicBedrock({ ...options, awsAccessKey: accessKeyId, awsSecretKey: secretAccessKey, awsSessionToken: settings.sessionToken ?? null })
      : new AnthropicBedrock(options);
  return createAnthropicMessagesProvider({ name: settings.name ?? "bedrock", client, classify: classifyBedrockError });
}
