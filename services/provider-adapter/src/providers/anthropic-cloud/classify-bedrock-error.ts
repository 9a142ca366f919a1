import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import { classifyHttpStatus, retryAfterMsOf, type ErrorPhase } from "../../core/http-errors.js";
import { ProviderError, type ProviderErrorKind } from "../../core/provider-error.js";
import { classifyErrorType } from "../anthropic/classify-anthropic-error.js";
import { classifySdkError } from "../sdk-stream.js";

/**
 * An error of `@anthropic-ai/bedrock-sdk` (its errors are `@anthropic-ai/sdk`'s) as a
 * ProviderError. Bedrock names its failures by exception: on an HTTP error in the
 * `x-amzn-errortype` header, inside a 200 stream as the frame's `:exception-type`, which the SDK
 * turns into an SSE `error` event of that type. Known exceptions are classed by name (a
 * ValidationException saying the input is too long → context_window); an Anthropic error type
 * relayed in a chunk as Anthropic's; anything else by HTTP status as for every provider.
 */
export function classifyBedrockError(error: unknown, phase: ErrorPhase): ProviderError {
  return classifySdkError(error, phase, { APIConnectionTimeoutError, APIConnectionError, APIError }, classifyApiError);
}

const EXCEPTION_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  throttlingException: "rate_limit",
  accessDeniedException: "auth",
  unrecognizedClientException: "auth",
  expiredTokenException: "auth",
  modelTimeoutException: "timeout",
  internalServerException: "unavailable",
  serviceUnavailableException: "unavailable",
  modelStreamErrorException: "unavailable",
  modelNotReadyException: "unavailable",
  // HTTP 424: the model failed on a valid request.
  modelErrorException: "unavailable",
  resourceNotFoundException: "bad_request",
};

function classifyApiError(error: APIError): ProviderError {
  const status = error.status;
  const details = { cause: error, ...(status === undefined ? {} : { httpStatus: status }) };
  const message = messageOf(error);
  const exception = exceptionOf(error);
  if (exception === "validationException") {
    return new ProviderError(isContextWindow(message) ? "context_window" : "bad_request", message, details);
  }
  const kind = exception === undefined ? undefined : EXCEPTION_KINDS[exception];
  if (kind === "rate_limit") {
    const retryAfterMs = retryAfterMsOf(error.headers);
    return new ProviderError(kind, message, retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (kind !== undefined) return new ProviderError(kind, message, details);
  if (status === undefined) return classifyErrorType(error.type ?? "", message, details);
  return classifyHttpStatus(status, message, error, status === 400 && isContextWindow(message), details);
}

/** `ThrottlingException:http://…` (header) or `throttlingException` (stream) → `throttlingException`. */
function exceptionOf(error: APIError): string | undefined {
  const name = error.status === undefined ? error.type : error.headers?.get("x-amzn-errortype")?.split(":")[0];
  return name ? name.charAt(0).toLowerCase() + name.slice(1) : undefined;
}

// Bedrock's HTTP error body is `{"message": …}` (`Message` from some AWS front ends); the SDK
// reads Anthropic's `{"error": {"message"}}`.
function messageOf(error: APIError): string {
  if (error.apiMessage) return error.apiMessage;
  const body = (typeof error.error === "object" && error.error !== null ? error.error : {}) as { message?: unknown; Message?: unknown };
  const message = body.message ?? body.Message;
  return typeof message === "string" ? message : error.message;
}

function isContextWindow(message: string): boolean {
  return /(input|prompt) is too long|context[ _-]?(length|window)|too many (input )?tokens/i.test(message);
}
