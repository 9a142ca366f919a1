import Anthropic from "@anthropic-ai/sdk";
import type { CompletionEvent, Model } from "@conduit/proto/provider/v1";
import type { ErrorPhase } from "../../core/http-errors.js";
import type { ModelProvider } from "../../core/model-provider.js";
import type { ProviderError } from "../../core/provider-error.js";
import { finishAnthropicStream, mapAnthropicEvent, newAnthropicStreamState, parseAnthropicEvent } from "./anthropic-events.js";
import { toAnthropicRequest } from "./anthropic-request.js";
import { classifyAnthropicError } from "./classify-anthropic-error.js";
import { modelNameOf, sdkClientOptions, streamSdkCall } from "../sdk-stream.js";

export interface AnthropicProviderSettings {
  apiKey: string;
  /** The API's root (the SDK appends `/v1/messages`); unset means Anthropic. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `anthropic`. */
  name?: string | undefined;
}

/**
 * Anthropic Messages through the official `@anthropic-ai/sdk`: text, thinking with signatures,
 * redacted thinking, tool use with streamed input, cache usage. The SDK never retries (retries
 * and fallback belong to the adapter, before the first delta only).
 */
export function createAnthropicProvider(settings: AnthropicProviderSettings): ModelProvider {
  return createAnthropicMessagesProvider({
    name: settings.name ?? "anthropic",
    client: new Anthropic(sdkClientOptions(settings)),
    classify: classifyAnthropicError,
  });
}

/**
 * Where the Messages API is served: Anthropic itself, or a cloud whose Anthropic SDK client
 * (`AnthropicBedrock`, `AnthropicVertex`) takes the same requests and streams the same events.
 */
export interface AnthropicMessagesHost {
  /** The provider part of model handles; reasoning signatures go back only to this provider. */
  name: string;
  /** A client that never retries on its own. */
  client: { messages: Pick<Anthropic["messages"], "create"> };
  classify: (error: unknown, phase: ErrorPhase) => ProviderError;
}

/** The Messages API provider of one host: the request conversion and event mapping are shared. */
export function createAnthropicMessagesProvider(host: AnthropicMessagesHost): ModelProvider {
  const { name, client } = host;
  return {
    name,
    models: (): Model[] => [],
    stream(request, { signal }): AsyncGenerator<CompletionEvent> {
      const model = modelNameOf(request.model);
      const state = newAnthropicStreamState();
      return streamSdkCall(
        {
          open: () => client.messages.create(toAnthropicRequest(request, model, name), { signal }),
          map: (raw) => mapAnthropicEvent(parseAnthropicEvent(raw), state, request.model),
          finish: () => {
            finishAnthropicStream(state);
            return [];
          },
          classify: host.classify,
        },
        signal,
      );
    },
  };
}
