/**
 * The classes of provider failure, whatever the provider: the taxonomy every provider maps its
 * HTTP statuses and in-stream errors onto, and the edge maps onto gRPC statuses.
 */
export type ProviderErrorKind =
  | "rate_limit"
  | "timeout"
  | "stalled"
  | "auth"
  | "context_window"
  | "bad_request"
  | "unavailable"
  | "malformed";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: {
      retryAfterMs?: number;
      httpStatus?: number;
      cause?: unknown;
      /** Waiting will not help (an exhausted quota or billing limit): never retried. */
      final?: boolean;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "ProviderError";
  }

  /** Worth trying again (before the first delta only): the same request may succeed later. */
  get retryable(): boolean {
    if (this.details.final) return false;
    return this.kind === "rate_limit" || this.kind === "timeout" || this.kind === "unavailable";
  }
}
