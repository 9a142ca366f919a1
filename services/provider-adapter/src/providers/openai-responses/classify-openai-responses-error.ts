import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { classifyHttpStatus, type ErrorPhase } from "../../core/http-errors.js";
import { ProviderError } from "../../core/provider-error.js";
import { classifySdkError } from "../sdk-stream.js";
import { quotaExhausted } from "../openai-chat/classify-openai-error.js";

/**
 * An error of the `openai` SDK on a Responses call (or of reading its stream) as a
 * ProviderError. HTTP statuses as for every provider (429 with its retry delay, 401/403,
 * `context_length_exceeded`, other 4xx, 5xx); an error the SDK raised from an `error` event
 * in the 200 stream has no status and is classified by its code, like the `error` and
 * `response.failed` events the SDK passes on (see classifyResponsesErrorCode).
 */
export function classifyOpenAIResponsesError(error: unknown, phase: ErrorPhase): ProviderError {
  return classifySdkError(error, phase, { APIConnectionTimeoutError, APIConnectionError, APIError }, classifyApiError);
}

function classifyApiError(error: APIError): ProviderError {
  const status = error.status;
  const code = stringField(error.code) ?? stringField(error.type) ?? "";
  if (status === undefined) return classifyResponsesErrorCode(code, error.message, { cause: error });
  const details = { cause: error, httpStatus: status };
  if (code.toLowerCase() === "insufficient_quota") return quotaExhausted(error.message, details);
  return classifyHttpStatus(status, error.message, error, isContextWindow(code, error.message), details);
}

/**
 * An error reported inside a 200 stream (`error` event, `response.failed`), classed by its code
 * as the HTTP status it comes with elsewhere would be: rate limits and exhausted quota →
 * rate_limit (an exhausted quota is not retried); a context-window refusal → context_window; invalid prompts, images and requests
 * → bad_request; server errors, overload and anything unknown → unavailable.
 */
export function classifyResponsesErrorCode(code: string, message: string, details: { cause?: unknown } = {}): ProviderError {
  const c = code.toLowerCase();
  if (c === "insufficient_quota") return quotaExhausted(message, details);
  if (c.includes("rate_limit")) return new ProviderError("rate_limit", message, details);
  if (isContextWindow(c, message)) return new ProviderError("context_window", message, details);
  if (c.includes("authentication") || c.includes("permission") || c === "invalid_api_key") {
    return new ProviderError("auth", message, details);
  }
  if (c.includes("timeout")) return new ProviderError("timeout", message, details);
  if (c.startsWith("invalid_") || c.includes("image") || c.startsWith("unsupported_") || c === "not_found") {
    return new ProviderError("bad_request", message, details);
  }
  return new ProviderError("unavailable", message, details);
}

function isContextWindow(code: string, message: string): boolean {
  return code === "context_length_exceeded" || /context[ _-]?(length|window)|maximum context|too many tokens/i.test(message);
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
