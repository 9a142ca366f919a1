import { GoogleGenAI } from "@google/genai";
import type { CompletionEvent, Model } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "../../core/model-provider.js";
import { modelNameOf, streamSdkCall } from "../sdk-stream.js";
import { classifyGeminiError } from "./classify-gemini-error.js";
import { finishGeminiStream, mapGeminiChunk, newGeminiStreamState, parseGeminiChunk } from "./gemini-chunks.js";
import { toGeminiRequest } from "./gemini-request.js";
import { headersRecordingFetch } from "./response-headers.js";

export interface GeminiProviderSettings {
  apiKey: string;
  /** The API's root (the SDK appends `/v1beta/models/<model>:streamGenerateContent`); unset means Google. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `google`. */
  name?: string | undefined;
}

/**
 * The Gemini API through the official `@google/genai` SDK: text and thought parts with their
 * thought signatures, whole function calls, usage with thoughts and cache. The SDK never retries
 * (retries and fallback belong to the adapter, before the first delta only): it retries only with
 * `httpOptions.retryOptions`, never set here, and its automatic continuation (new requests when
 * a stream ends early) is turned off on every call. `vertexai: false` keeps the SDK's own
 * environment variables from switching the backend.
 */
export function createGeminiProvider(settings: GeminiProviderSettings): ModelProvider {
  const name = settings.name ?? "google";
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    vertexai: false,
    ...(settings.baseURL === undefined ? {} : { httpOptions: { baseUrl: settings.baseURL } }),
  });
  return {
    name,
    models: (): Model[] => [],
    stream(request, { signal }): AsyncGenerator<CompletionEvent> {
      const state = newGeminiStreamState();
      const response = headersRecordingFetch();
      return streamSdkCall(
        {
          open: () => {
            const params = toGeminiRequest(request, modelNameOf(request.model), name);
            const config = {
              ...params.config,
              httpOptions: { ...params.config?.httpOptions, fetch: response.fetch },
              abortSignal: signal,
              automaticContinuation: false,
            };
            return client.models.generateContentStream({ ...params, config });
          },
          map: (raw) => mapGeminiChunk(parseGeminiChunk(raw), state),
          finish: () => finishGeminiStream(state, request.model),
          classify: (error, phase) => classifyGeminiError(error, phase, response.headers()),
        },
        signal,
      );
    },
  };
}
