import { invalidArgument, type CallContext } from "@conduit/grpc-kit";
import type { CancelRunRequest, CancelRunResponse } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "../adapters/caller-auth.js";
import type { StoreConnection } from "../adapters/store-client.js";
import type { IdGenerator } from "../core/ports.js";
import { cancelRun as cancel } from "../runs/cancel-run.js";
import type { RunHost } from "../runs/run-host.js";

/** CancelRun: any replica; the owner aborts the run and its streams end with stop{cancelled}. */
export function cancelRun(deps: { auth: CallerAuth; store: StoreConnection; runs: RunHost; ids: IdGenerator; cancelConfirmMs: number }) {
  return async (request: CancelRunRequest, ctx: CallContext): Promise<CancelRunResponse> => {
    const organizationId = await deps.auth.organizationOf(ctx);
    if (!request.runId) throw invalidArgument("run_id", "must not be empty");
    const store = deps.store.forOrganization(organizationId);
    const run = await cancel({ runs: deps.runs, store, ids: deps.ids, confirmMs: deps.cancelConfirmMs }, organizationId, request.runId, { signal: ctx.signal });
    return { run };
  };
}
