import { ApiError } from "@google/genai";
import { z } from "zod";
import { classifyHttpStatus, classifyTransportFailure, type ErrorPhase } from "../../core/http-errors.js";
import { ProviderError } from "../../core/provider-error.js";

export type { ErrorPhase } from "../../core/http-errors.js";

/**
 * An error of the `@google/genai` SDK (or of reading its stream) as a ProviderError. The SDK
 * throws an `ApiError` with the HTTP status for an error response and for an `{"error": …}`
 * chunk inside a 200 stream, its message being Google's error body as JSON:
 * 429 → rate_limit (retry delay from the body's `RetryInfo.retryDelay`, else from the
 * `retry-after` headers of `headers`, the response's); 401/403 and an invalid API key (a 400 with
 * `API_KEY_INVALID`) → auth; 400 about the input token count → context_window; other 4xx →
 * bad_request; 5xx (503 `UNAVAILABLE` included) → unavailable. Everything else is a plain
 * error: failed connections (`fetch failed`) → unavailable; invalid JSON in the stream, a
 * connection cut off mid-stream (`terminated`) or bytes left unframed at its end → malformed.
 */
export function classifyGeminiError(error: unknown, phase: ErrorPhase, headers?: Headers): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof ApiError) return classifyApiError(error, headers);
  return classifyTransportFailure(error, phase, undefined);
}

const googleErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z
      .array(z.looseObject({ "@type": z.string().nullish(), retryDelay: z.string().nullish(), reason: z.string().nullish() }))
      .nullish(),
  }),
});

type GoogleError = z.infer<typeof googleErrorSchema>["error"];

function classifyApiError(error: ApiError, headers: Headers | undefined): ProviderError {
  const status = error.status;
  const body = googleErrorOf(error.message);
  const message = body?.message ?? error.message;
  const details = { cause: error, httpStatus: status };
  if (status === 429) {
    const retryAfterMs = retryDelayMsOf(body);
    if (retryAfterMs !== undefined) return new ProviderError("rate_limit", message, { ...details, retryAfterMs });
  }
  if (status === 400 && body?.details?.some((d) => d.reason === "API_KEY_INVALID")) return new ProviderError("auth", message, details);
  return classifyHttpStatus(status, message, { headers }, status === 400 && isContextWindow(message), details);
}

/**
 * Google's error object in an ApiError message: the body itself (an HTTP error), or the body
 * after `got status: …. ` (an error chunk in the stream).
 */
export function googleErrorOf(message: string): GoogleError | undefined {
  const start = message.indexOf("{");
  if (start < 0) return undefined;
  try {
    const parsed = googleErrorSchema.safeParse(JSON.parse(message.slice(start)));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/** `RetryInfo.retryDelay`, a protobuf Duration in JSON such as `"7s"` or `"0.5s"`, in milliseconds. */
export function retryDelayMsOf(error: GoogleError | undefined): number | undefined {
  const retryInfo = error?.details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"));
  const match = /^(\d+(?:\.\d+)?)s$/.exec(retryInfo?.retryDelay ?? "");
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function isContextWindow(message: string): boolean {
  return /input token count.*exceeds|exceeds the maximum number of tokens|context[ _-]?(length|window)|too many tokens/i.test(message);
}
