import { Status, ServiceError } from "@conduit/grpc-kit";

/** Who is calling, as established from the `authorization` metadata. */
export type Principal =
  | { kind: "caller"; organizationId: string; apiKeyId: string }
  /** agent-loop; acts for the organization it names in `conduit-organization-id`, if any. */
  | { kind: "internal"; organizationId: string | undefined }
  | { kind: "admin" };

/** What an RPC accepts: see the service comment in message_store_service.proto. */
export type Access = "caller" | "internal" | "admin";

export const ORGANIZATION_HEADER = "conduit-organization-id";

/** Checks the principal may call an RPC of this access level; returns the acting organization. */
export function authorize(principal: Principal, access: Access): string | undefined {
  switch (access) {
    case "admin":
      if (principal.kind !== "admin") throw denied("ADMIN_CREDENTIAL_REQUIRED", "this RPC needs the admin credential");
      return undefined;
    case "internal":
      if (principal.kind !== "internal") {
        throw denied("INTERNAL_CREDENTIAL_REQUIRED", "this RPC needs the internal service credential");
      }
      return principal.organizationId;
    case "caller":
      if (principal.kind === "caller") return principal.organizationId;
      if (principal.kind === "internal") {
        if (principal.organizationId) return principal.organizationId;
        throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", `${ORGANIZATION_HEADER} metadata is required`, {
          metadata: { field: ORGANIZATION_HEADER },
        });
      }
      throw denied("API_KEY_REQUIRED", "this RPC acts for an organization: call it with an API key");
  }
}

const denied = (reason: string, message: string) => new ServiceError(Status.PERMISSION_DENIED, reason, message);

export const unauthenticated = (message: string) => new ServiceError(Status.UNAUTHENTICATED, "INVALID_API_KEY", message);
