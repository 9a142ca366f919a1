import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { classifyHttpStatus, type ErrorPhase } from "../../core/http-errors.js";
import { classifySdkError } from "../sdk-stream.js";
import { ProviderError } from "../../core/provider-error.js";

/**
 * An error of the `openai` SDK (or of reading its stream) as a ProviderError:
 * 429 → rate_limit (retry delay from `retry-after-ms` / `retry-after`); 401/403 → auth;
 * 400 `context_length_exceeded` (or a message about the context length) → context_window;
 * other 4xx → bad_request; 408 and timeouts → timeout; 5xx and connection errors → unavailable;
 * invalid JSON in the stream, or the connection cut off in the middle of a stream → malformed.
 * Errors inside a 200 stream (`{"error": …}` chunks) are classified by their type and code.
 */
export function classifyOpenAIError(error: unknown, phase: ErrorPhase): ProviderError {
  return classifySdkError(error, phase, { APIConnectionTimeoutError, APIConnectionError, APIError }, classifyApiError);
}

function classifyApiError(error: APIError): ProviderError {
  const status = error.status;
  const details = { cause: error, ...(status === undefined ? {} : { httpStatus: status }) };
  const code = stringField(error.code) ?? stringField(error.type) ?? "";
  const message = error.message;
  if (status === undefined) return classifyInStreamError(error, code, details);
  if (code === "insufficient_quota") return quotaExhausted(message, details);
  return classifyHttpStatus(status, message, error, isContextWindow(code, message), details);
}

/** An `{"error": …}` object inside a 200 stream: no HTTP status, only its type and code. */
function classifyInStreamError(error: APIError, code: string, details: { cause: unknown }): ProviderError {
  const kinds = `${code} ${stringField(error.type) ?? ""}`.toLowerCase();
  if (kinds.includes("insufficient_quota")) return quotaExhausted(error.message, details);
  if (kinds.includes("rate_limit")) return new ProviderError("rate_limit", error.message, details);
  if (isContextWindow(code, error.message)) return new ProviderError("context_window", error.message, details);
  if (kinds.includes("invalid_request")) return new ProviderError("bad_request", error.message, details);
  return new ProviderError("unavailable", error.message, details);
}

/**
 * OpenAI's 429 `insufficient_quota`: a rate limit to the caller (RESOURCE_EXHAUSTED), but one
 * that no wait ends, so it is neither retried nor given a retry delay.
 */
export const quotaExhausted = (message: string, details: { cause?: unknown; httpStatus?: number }) =>
  new ProviderError("rate_limit", message, { ...details, final: true });

function isContextWindow(code: string, message: string): boolean {
  return code === "context_length_exceeded" || /context[ _-]?(length|window)|maximum context|too many tokens/i.test(message);
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

