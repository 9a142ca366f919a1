import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import { ProviderError } from "../../core/provider-error.js";
import { classifyHttpStatus, type ErrorPhase } from "../../core/http-errors.js";
import { classifySdkError } from "../sdk-stream.js";

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
  return classifySdkError(error, phase, { APIConnectionTimeoutError, APIConnectionError, APIError }, classifyApiError);
}

function classifyApiError(error: APIError): ProviderError {
  const status = error.status;
  const details = { cause: error, ...(status === undefined ? {} : { httpStatus: status }) };
  const message = error.apiMessage ?? error.message;
  if (status === undefined) return classifyErrorType(error.type ?? "", message, details);
  return classifyHttpStatus(status, message, error, status === 400 && isContextWindow(message), details);
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

