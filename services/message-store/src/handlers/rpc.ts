import type { handleUnaryCall } from "@grpc/grpc-js";
import { QueryFailedError, type DataSource } from "typeorm";
import type { z } from "zod";
import { parseRequest, ServiceError, Status, unary, type CallContext, type ServerRuntime } from "@conduit/grpc-kit";
import type { Authenticator } from "../auth/authenticator.js";
import { authorize, type Principal } from "../auth/principal.js";

export interface HandlerDeps {
  db: DataSource;
  auth: Authenticator;
  rt: ServerRuntime;
}

/** What a handler body gets: the validated input, the acting organization, the database. */
export interface StoreCall<Org> {
  org: Org;
  principal: Principal;
  db: DataSource;
  ctx: CallContext;
}

type Body<In, Res, Org> = (input: In, call: StoreCall<Org>) => Promise<Res>;

/**
 * One unary RPC: authenticate → authorize → validate (zod; INVALID_ARGUMENT names the field)
 * → run the body → map database failures. Three builders, one per access level, so a body
 * knows at compile time whether it has an organization.
 */
export const rpc = {
  /** Acts for the caller's organization (API key, or internal credential + organization header). */
  caller<S extends z.ZodType, Res>(deps: HandlerDeps, method: string, schema: S, body: Body<z.infer<S>, Res, string>) {
    return build(deps, method, schema, async (principal) => authorize(principal, "caller") as string, body);
  },
  /** Run control: only agent-loop's credential. The organization header is optional. */
  internal<S extends z.ZodType, Res>(
    deps: HandlerDeps,
    method: string,
    schema: S,
    body: Body<z.infer<S>, Res, string | undefined>,
  ) {
    return build(deps, method, schema, async (principal) => authorize(principal, "internal"), body);
  },
  /** Organizations and keys: only the admin credential. */
  admin<S extends z.ZodType, Res>(deps: HandlerDeps, method: string, schema: S, body: Body<z.infer<S>, Res, undefined>) {
    return build(deps, method, schema, async (principal) => authorize(principal, "admin") as undefined, body);
  },
};

function build<S extends z.ZodType, Res, Org>(
  deps: HandlerDeps,
  method: string,
  schema: S,
  scope: (principal: Principal) => Promise<Org>,
  body: Body<z.infer<S>, Res, Org>,
): handleUnaryCall<unknown, Res> {
  return unary(deps.rt, `conduit.store.v1.MessageStoreService/${method}`, async (request, ctx) => {
    const principal = await deps.auth.authenticate(ctx.metadata).catch(mapDatabaseError);
    const org = await scope(principal);
    const input = parseRequest(schema, request);
    return body(input, { org, principal, db: deps.db, ctx }).catch(mapDatabaseError);
  });
}

/** Connection failures and an exhausted pool become UNAVAILABLE (retryable); everything else passes through. */
function mapDatabaseError(err: unknown): never {
  if (err instanceof ServiceError) throw err;
  const code = (err instanceof QueryFailedError ? (err.driverError as { code?: string }) : (err as { code?: string }))?.code;
  if (typeof code === "string" && (code.startsWith("08") || code === "57P01" || code === "ECONNREFUSED" || code === "ECONNRESET")) {
    throw new ServiceError(Status.UNAVAILABLE, "DATABASE_UNAVAILABLE", "the database cannot be reached; retry", { cause: err });
  }
  // pg's pool gives up waiting for a free connection under load: busy, not broken.
  if (err instanceof Error && err.message.includes("timeout exceeded when trying to connect")) {
    throw new ServiceError(Status.UNAVAILABLE, "DATABASE_UNAVAILABLE", "every database connection is busy; retry", { cause: err });
  }
  throw err;
}
