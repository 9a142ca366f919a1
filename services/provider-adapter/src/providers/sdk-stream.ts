import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { parseModelHandle } from "../core/model-provider.js";
import { classifyTransportFailure, type ErrorPhase } from "../core/http-errors.js";
import { ProviderError } from "../core/provider-error.js";
import { createNodeFetch } from "./node-fetch.js";

/** One streamed call of a provider SDK, as the pieces that differ between providers. */
export interface SdkCall<Raw> {
  /** Sends the request; resolves once the response has started. */
  open(): Promise<AsyncIterable<Raw>>;
  /** The normalized events one wire item yields. */
  map(raw: Raw): Iterable<CompletionEvent>;
  /** The events due when the wire stream ends; throws when it ended too early. */
  finish(): Iterable<CompletionEvent>;
  classify(error: unknown, phase: ErrorPhase): ProviderError;
}

/**
 * Runs an SDK call as normalized events. A cancel stays a cancel: the SDKs end their streams
 * quietly when the signal aborts them, so the signal is checked before finishing and before
 * classifying a failure; everything else becomes a ProviderError.
 */
export async function* streamSdkCall<Raw>(call: SdkCall<Raw>, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
  let phase: ErrorPhase = "request";
  try {
    const stream = await call.open();
    phase = "stream";
    for await (const raw of stream) yield* call.map(raw);
    signal.throwIfAborted();
    yield* call.finish();
  } catch (error) {
    signal.throwIfAborted();
    throw call.classify(error, phase);
  }
}

/** One keep-alive connection pool for every SDK client of the process. */
const nodeFetch = createNodeFetch();

/**
 * Client options every official SDK takes alike: our key and base URL, no retries of its own
 * (retries and fallback belong to the adapter, before the first delta only), no console
 * output (unparsable stream data reaches us as an error), and a fetch over node:http.
 */
export function sdkClientOptions(settings: { apiKey: string; baseURL?: string | undefined }) {
  return {
    apiKey: settings.apiKey,
    ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    maxRetries: 0,
    logLevel: "off" as const,
    fetch: nodeFetch,
  };
}

/** The provider's own model name in a `<provider>/<model>` handle. */
export const modelNameOf = (handle: string) => parseModelHandle(handle)?.model ?? handle;

/** The error classes the official SDKs (generated alike) throw. */
export interface SdkErrorClasses<ApiError> {
  APIConnectionTimeoutError: abstract new (...args: never[]) => unknown;
  APIConnectionError: abstract new (...args: never[]) => unknown;
  APIError: abstract new (...args: never[]) => ApiError;
}

/**
 * An SDK error (or a failure reading its stream) as a ProviderError: connection errors first
 * (they are APIErrors without a status), then the provider's own API errors, then transport.
 */
export function classifySdkError<ApiError>(
  error: unknown,
  phase: ErrorPhase,
  sdk: SdkErrorClasses<ApiError>,
  classifyApiError: (error: ApiError) => ProviderError,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof sdk.APIConnectionTimeoutError) return classifyTransportFailure(error, phase, "timeout");
  if (error instanceof sdk.APIConnectionError) return classifyTransportFailure(error, phase, "connection");
  if (error instanceof sdk.APIError) return classifyApiError(error as ApiError);
  return classifyTransportFailure(error, phase, undefined);
}
