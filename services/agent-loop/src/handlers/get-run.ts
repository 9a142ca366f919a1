import { invalidArgument, type CallContext } from "@conduit/grpc-kit";
import type { GetRunRequest, GetRunResponse } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "../adapters/caller-auth.js";
import type { StoreConnection } from "../adapters/store-client.js";

/** GetRun: the run as the message store has it, for the caller's organization. */
export function getRun(deps: { auth: CallerAuth; store: StoreConnection }) {
  return async (request: GetRunRequest, ctx: CallContext): Promise<GetRunResponse> => {
    const organizationId = await deps.auth.organizationOf(ctx);
    if (!request.runId) throw invalidArgument("run_id", "must not be empty");
    return { run: await deps.store.forOrganization(organizationId).getRun(request.runId, { signal: ctx.signal }) };
  };
}
