import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import { ProviderError } from "../../core/provider-error.js";
import { retryAfterMsOf, type ErrorPhase } from "../../core/http-errors.js";

export type { ErrorPhase } from "../../core/http-errors.js";

/**
 * An error of the `@anthropic-ai/sdk` SDK (or of reading its stream) as a ProviderError:
 * 429 → rate_limit (retry delay from `retry-after-ms` / `retry-after`); 401/403 → auth;
 * 400 whose message says the prompt is too long → context_window; other 4xx → bad_request;
 * 408 and timeouts → timeout; 5xx (529 `overloaded_error` included) and connection errors →
 * unavailable; invalid JSON in the stream, or the connection cut off in the middle of a stream →
 * malformed. An `error` event inside a 200 stream has no status and is classified by its type.
 */
export function classifyAnthropicError(error: unknown, phase: ErrorPhase): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError("timeout", "the provider request timed out", { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError("unavailable", `could not reach the provider: ${causeMessage(error)}`, { cause: error });
  }
  if (error instanceof APIError) return classifyApiError(error);
  if (error instanceof SyntaxError) {
    return new ProviderError("malformed", `the provider sent invalid JSON: ${error.message}`, { cause: error });
  }
  if (phase === "stream") {
    // undici reports a body cut off mid-stream as `TypeError: terminated` (cause: socket closed).
    return new ProviderError("malformed", `the provider's stream was cut off: ${causeMessage(error)}`, { cause: error });
  }
  return new ProviderError("unavailable", `the provider call failed: ${causeMessage(error)}`, { cause: error });
}

function classifyApiError(error: APIError): ProviderError {
  const status = error.status;
  const details = { cause: error, ...(status === undefined ? {} : { httpStatus: status }) };
  const message = error.apiMessage ?? error.message;
  if (status === undefined) return classifyErrorType(error.type ?? "", message, details);
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.headers);
    return new ProviderError("rate_limit", message, retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (status === 401 || status === 403) return new ProviderError("auth", message, details);
  if (status === 408) return new ProviderError("timeout", message, details);
  if (status === 400 && isContextWindow(message)) return new ProviderError("context_window", message, details);
  if (status >= 400 && status < 500) return new ProviderError("bad_request", message, details);
  return new ProviderError("unavailable", message, details);
}

/**
 * An Anthropic error `type` without an HTTP status (an `error` event inside a 200 stream), classed
 * as the status that type comes with would be.
 */
export function classifyErrorType(type: string, message: string, details: { cause?: unknown } = {}): ProviderError {
  switch (type) {
    case "rate_limit_error":
      return new ProviderError("rate_limit", message, details);
    case "authentication_error":
    case "permission_error":
      return new ProviderError("auth", message, details);
    case "timeout_error":
      return new ProviderError("timeout", message, details);
    case "invalid_request_error":
      return new ProviderError(isContextWindow(message) ? "context_window" : "bad_request", message, details);
    case "not_found_error":
    case "request_too_large":
      return new ProviderError("bad_request", message, details);
    default:
      // overloaded_error, api_error and anything unknown: the provider failed, try again later.
      return new ProviderError("unavailable", message, details);
  }
}

function isContextWindow(message: string): boolean {
  return /prompt is too long|context[ _-]?(length|window)|too many tokens/i.test(message);
}

function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
