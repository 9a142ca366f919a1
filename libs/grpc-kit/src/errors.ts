import { Metadata, status as Status, type ServiceError as GrpcServiceError, type StatusObject } from "@grpc/grpc-js";
import { decodeStatusDetails, encodeStatusDetails, STATUS_DETAILS_KEY } from "./status-details.js";

export { Status };

export interface ServiceErrorOptions {
  cause?: unknown;
  /** Machine-readable facts for the caller (`field`, `active_run_id`, …); sent in ErrorInfo.metadata. */
  metadata?: Record<string, string>;
  /** Sent as google.rpc.RetryInfo: how long a caller should wait before trying again. */
  retryDelayMs?: number;
}

/**
 * The one error family of every service. `reason` is a stable UPPER_SNAKE_CASE string that
 * callers switch on; the message is for humans. Mapped to a gRPC status only at the edge.
 */
export class ServiceError extends Error {
  readonly metadata: Record<string, string>;
  readonly retryDelayMs: number | undefined;

  constructor(
    readonly code: Status,
    readonly reason: string,
    message: string,
    options: ServiceErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ServiceError";
    this.metadata = options.metadata ?? {};
    this.retryDelayMs = options.retryDelayMs;
  }

  toStatus(): StatusObject {
    const metadata = new Metadata();
    const details = encodeStatusDetails({
      code: this.code,
      message: this.message,
      reason: this.reason,
      metadata: this.metadata,
      ...(this.retryDelayMs === undefined ? {} : { retryDelayMs: this.retryDelayMs }),
    });
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(details));
    return { code: this.code, details: this.message, metadata };
  }

  /** Reads a status a peer sent (our own services or anything speaking google.rpc.Status). */
  static fromGrpc(err: Pick<GrpcServiceError, "code" | "details" | "metadata">): ServiceError {
    const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
    if (raw instanceof Buffer) {
      const d = decodeStatusDetails(raw);
      return new ServiceError(err.code, d.reason || Status[err.code], err.details, {
        cause: err,
        metadata: d.metadata,
        ...(d.retryDelayMs === undefined ? {} : { retryDelayMs: d.retryDelayMs }),
      });
    }
    return new ServiceError(err.code, Status[err.code] ?? "UNKNOWN", err.details, { cause: err });
  }
}

export const invalidArgument = (field: string, problem: string) =>
  new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", `${field}: ${problem}`, { metadata: { field } });

export const notFound = (kind: string, id: string) =>
  new ServiceError(Status.NOT_FOUND, `${kind.toUpperCase()}_NOT_FOUND`, `${kind} ${id} not found`, {
    metadata: { [`${kind}_id`]: id },
  });

export const unimplemented = (rpc: string) =>
  new ServiceError(Status.UNIMPLEMENTED, "NOT_IMPLEMENTED", `${rpc} is not implemented yet`, { metadata: { rpc } });

export const unavailable = (reason: string, message: string, cause?: unknown) =>
  new ServiceError(Status.UNAVAILABLE, reason, message, { cause });

/** The server is going away; the caller may retry on another replica. */
export const shuttingDown = () =>
  new ServiceError(Status.UNAVAILABLE, "SHUTTING_DOWN", "the server is shutting down; retry");

/** Anything that is not a ServiceError is a bug: the caller gets INTERNAL, no internals. */
export function toServiceError(err: unknown): { error: ServiceError; unexpected: boolean } {
  if (err instanceof ServiceError) return { error: err, unexpected: false };
  return {
    error: new ServiceError(Status.INTERNAL, "INTERNAL", "internal error", { cause: err }),
    unexpected: true,
  };
}
