import { ServiceError, Status } from "@conduit/grpc-kit";
import type { ProviderError, ProviderErrorKind } from "./core/provider-error.js";

const STATUS: Record<ProviderErrorKind, { code: Status; reason: string }> = {
  rate_limit: { code: Status.RESOURCE_EXHAUSTED, reason: "RATE_LIMITED" },
  timeout: { code: Status.DEADLINE_EXCEEDED, reason: "PROVIDER_TIMEOUT" },
  stalled: { code: Status.DEADLINE_EXCEEDED, reason: "STREAM_STALLED" },
  // The provider refused our credentials: never UNAUTHENTICATED, which is about our caller.
  auth: { code: Status.FAILED_PRECONDITION, reason: "PROVIDER_AUTH" },
  context_window: { code: Status.INVALID_ARGUMENT, reason: "CONTEXT_WINDOW_EXCEEDED" },
  bad_request: { code: Status.INVALID_ARGUMENT, reason: "PROVIDER_BAD_REQUEST" },
  unavailable: { code: Status.UNAVAILABLE, reason: "PROVIDER_UNAVAILABLE" },
  malformed: { code: Status.UNAVAILABLE, reason: "MALFORMED_RESPONSE" },
};

/** A provider failure as the gRPC status of the file comment of provider_adapter_service.proto. */
export function toServiceError(
  err: ProviderError,
  context: { provider: string; model: string; beforeFirstDelta: boolean },
): ServiceError {
  const { code, reason } = STATUS[err.kind];
  const metadata: Record<string, string> = {
    provider: context.provider,
    model: context.model,
    before_first_delta: String(context.beforeFirstDelta),
  };
  if (err.details.httpStatus !== undefined) metadata.http_status = String(err.details.httpStatus);
  return new ServiceError(code, reason, err.message, {
    cause: err,
    metadata,
    ...(err.details.retryAfterMs === undefined ? {} : { retryDelayMs: err.details.retryAfterMs }),
  });
}
