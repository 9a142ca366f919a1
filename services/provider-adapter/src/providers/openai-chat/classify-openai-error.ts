import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { retryAfterMsOf, type ErrorPhase } from "../../core/http-errors.js";
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
  const code = stringField(error.code) ?? stringField(error.type) ?? "";
  const message = error.message;
  if (status === undefined) return classifyInStreamError(error, code, details);
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.headers);
    return new ProviderError("rate_limit", message, retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (status === 401 || status === 403) return new ProviderError("auth", message, details);
  if (status === 408) return new ProviderError("timeout", message, details);
  if (isContextWindow(code, message)) return new ProviderError("context_window", message, details);
  if (status >= 400 && status < 500) return new ProviderError("bad_request", message, details);
  return new ProviderError("unavailable", message, details);
}

/** An `{"error": …}` object inside a 200 stream: no HTTP status, only its type and code. */
function classifyInStreamError(error: APIError, code: string, details: { cause: unknown }): ProviderError {
  const kinds = `${code} ${stringField(error.type) ?? ""}`.toLowerCase();
  if (kinds.includes("rate_limit")) return new ProviderError("rate_limit", error.message, details);
  if (isContextWindow(code, error.message)) return new ProviderError("context_window", error.message, details);
  if (kinds.includes("invalid_request")) return new ProviderError("bad_request", error.message, details);
  return new ProviderError("unavailable", error.message, details);
}

function isContextWindow(code: string, message: string): boolean {
  return code === "context_length_exceeded" || /context[ _-]?(length|window)|maximum context|too many tokens/i.test(message);
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
