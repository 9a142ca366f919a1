import type { CallContext } from "@conduit/grpc-kit";
import type { StartRunRequest, StartRunResponse } from "@conduit/proto/agent/v1";
import { parseStartRun } from "./run-request.js";
import type { SendMessageDeps } from "./send-message.js";

/** StartRun: a background run, returned at once (or the existing run of a re-sent input). */
export function startRun(deps: SendMessageDeps) {
  return async (request: StartRunRequest, ctx: CallContext): Promise<StartRunResponse> => {
    const organizationId = await deps.auth.organizationOf(ctx);
    const attachment = await deps.runs.start(organizationId, parseStartRun(request), { signal: ctx.signal });
    return { run: attachment.kind === "live" ? attachment.active.run : attachment.run };
  };
}
