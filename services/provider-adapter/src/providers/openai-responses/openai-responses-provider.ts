import OpenAI, { AzureOpenAI } from "openai";
import type { CompletionEvent, Model } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "../../core/model-provider.js";
import { modelNameOf, sdkClientOptions, streamSdkCall } from "../sdk-stream.js";
import { classifyOpenAIResponsesError } from "./classify-openai-responses-error.js";
import {
  finishOpenAIResponsesStream,
  mapOpenAIResponsesEvent,
  newOpenAIResponsesStreamState,
  parseOpenAIResponsesEvent,
} from "./openai-responses-events.js";
import { toOpenAIResponsesRequest } from "./openai-responses-request.js";

export interface OpenAIResponsesProviderSettings {
  apiKey: string;
  /** The API's `…/v1`; unset means OpenAI. */
  baseURL?: string | undefined;
  /** The provider part of model handles; default `openai-responses`. */
  name?: string | undefined;
}

export interface AzureOpenAIProviderSettings {
  apiKey: string;
  /** The resource URL, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  apiVersion: string;
  /** The provider part of model handles (`azure/<deployment>`); default `azure`. */
  name?: string | undefined;
}

/**
 * The OpenAI Responses API through the official `openai` SDK: text, reasoning summaries with
 * encrypted reasoning kept for the next call (stateless, `store: false`), function calls. The
 * SDK never retries (retries and fallback belong to the adapter, before the first delta only).
 */
export function createOpenAIResponsesProvider(settings: OpenAIResponsesProviderSettings): ModelProvider {
  return responsesProvider(settings.name ?? "openai-responses", new OpenAI(sdkClientOptions(settings)));
}

/**
 * Azure OpenAI's Responses API through the SDK's `AzureOpenAI` client: `api-key` header,
 * `api-version` query, the deployment as the model. The base URL is derived here rather than
 * left to the SDK, which would otherwise take `OPENAI_BASE_URL` from the environment too.
 */
export function createAzureOpenAIProvider(settings: AzureOpenAIProviderSettings): ModelProvider {
  const client = new AzureOpenAI({
    ...sdkClientOptions({ apiKey: settings.apiKey }),
    baseURL: `${settings.endpoint.replace(/\/+$/, "")}/openai`,
    apiVersion: settings.apiVersion,
  });
  return responsesProvider(settings.name ?? "azure", client);
}

function responsesProvider(name: string, client: OpenAI): ModelProvider {
  return {
    name,
    models: (): Model[] => [],
    stream(request, { signal }): AsyncGenerator<CompletionEvent> {
      const model = modelNameOf(request.model);
      const state = newOpenAIResponsesStreamState();
      return streamSdkCall(
        {
          open: () => client.responses.create(toOpenAIResponsesRequest(request, model, name), { signal }),
          map: (raw) => mapOpenAIResponsesEvent(parseOpenAIResponsesEvent(raw), state, request.model),
          finish: () => {
            finishOpenAIResponsesStream(state);
            return [];
          },
          classify: classifyOpenAIResponsesError,
        },
        signal,
      );
    },
  };
}
