import { ProviderError } from "./provider-error.js";

// What every HTTP provider shares when it classifies a failure.

/**
 * Where the error was met: while making the request (`request`, up to the response headers), or
 * while reading an already started 200 stream (`stream`).
 */
export type ErrorPhase = "request" | "stream";

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
export function retryAfterMsOf(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms != null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers?.get("retry-after");
  if (after == null || after.trim() === "") return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type Details = { cause: unknown; httpStatus?: number };

/**
 * An HTTP error status as a ProviderError: 429 → rate_limit (with the provider's retry delay);
 * 401/403 → auth; 408 → timeout; a context-window refusal → context_window; other 4xx →
 * bad_request; anything else → unavailable.
 */
export function classifyHttpStatus(
  status: number,
  message: string,
  error: { headers?: Headers | undefined },
  contextWindow: boolean,
  details: Details,
): ProviderError {
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.headers);
    return new ProviderError("rate_limit", message, retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (status === 401 || status === 403) return new ProviderError("auth", message, details);
  if (status === 408) return new ProviderError("timeout", message, details);
  if (contextWindow) return new ProviderError("context_window", message, details);
  if (status >= 400 && status < 500) return new ProviderError("bad_request", message, details);
  return new ProviderError("unavailable", message, details);
}

/**
 * A failure without an HTTP status: the SDK's timeout or connection error (as the SDK names
 * it), invalid JSON in the stream, or the connection cut off mid-stream, which undici reports
 * as `TypeError: terminated`.
 */
export function classifyTransportFailure(error: unknown, phase: ErrorPhase, sdkKind: "timeout" | "connection" | undefined): ProviderError {
  if (sdkKind === "timeout") return new ProviderError("timeout", "the provider request timed out", { cause: error });
  if (sdkKind === "connection") {
    return new ProviderError("unavailable", `could not reach the provider: ${causeMessage(error)}`, { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError("malformed", `the provider sent invalid JSON: ${error.message}`, { cause: error });
  }
  if (phase === "stream") {
    return new ProviderError("malformed", `the provider's stream was cut off: ${causeMessage(error)}`, { cause: error });
  }
  return new ProviderError("unavailable", `the provider call failed: ${causeMessage(error)}`, { cause: error });
}

function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
