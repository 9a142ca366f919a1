import type { CompletionEvent } from "@conduit/proto/provider/v1";
import type { ErrorPhase } from "../core/http-errors.js";
import type { ProviderError } from "../core/provider-error.js";

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
