import { bearerToken, sameSecret, ServiceError, Status, type CallContext } from "@conduit/grpc-kit";

/** With an internal credential configured, every call must present it (callers are services). */
export function requireInternal(ctx: CallContext, internalKey: string | undefined): void {
  if (!internalKey) return;
  const presented = bearerToken(ctx.metadata);
  if (!presented || !sameSecret(presented, internalKey)) {
    throw new ServiceError(Status.UNAUTHENTICATED, "INVALID_API_KEY", "this service needs the internal service credential");
  }
}
