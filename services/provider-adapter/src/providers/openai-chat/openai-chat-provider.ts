import OpenAI from "openai";
import type { CompletionEvent, Model } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "../../core/model-provider.js";
import { classifyOpenAIError } from "./classify-openai-error.js";
import {
  finishOpenAIChatStream,
  mapOpenAIChatChunk,
  newOpenAIChatStreamState,
  parseOpenAIChatChunk,
} from "./openai-chat-chunks.js";
import { toOpenAIChatRequest } from "./openai-chat-request.js";
import { modelNameOf, sdkClientOptions, streamSdkCall } from "../sdk-stream.js";

export interface OpenAIChatProviderSettings {
  apiKey: string;
  /** Any OpenAI-compatible server (`…/v1`); unset means OpenAI. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `openai`. */
  name?: string | undefined;
}

/**
 * OpenAI Chat Completions, and by base URL every OpenAI-compatible server (Ollama, vLLM,
 * llama.cpp, Groq, DeepSeek, …), through the official `openai` SDK. The SDK never retries
 * (retries and fallback belong to the adapter, before the first delta only).
 */
export function createOpenAIChatProvider(settings: OpenAIChatProviderSettings): ModelProvider {
  const name = settings.name ?? "openai";
  const client = new OpenAI(sdkClientOptions(settings));
  return {
    name,
    models: (): Model[] => [],
    stream(request, { signal }): AsyncGenerator<CompletionEvent> {
      const model = modelNameOf(request.model);
      const state = newOpenAIChatStreamState();
      return streamSdkCall(
        {
          open: () => client.chat.completions.create(toOpenAIChatRequest(request, model), { signal }),
          map: (raw) => mapOpenAIChatChunk(parseOpenAIChatChunk(raw), state),
          finish: () => finishOpenAIChatStream(state, request.model),
          classify: classifyOpenAIError,
        },
        signal,
      );
    },
  };
}
