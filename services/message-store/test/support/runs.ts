import { CreateRunRequest, type CreateRunResponse } from "@conduit/proto/store/v1";
import type { Run } from "@conduit/proto/agent/v1";
import type { AgentTenant, StoreHarness } from "./store-harness.js";

/** CreateRun for the tenant's agent, owned by "replica-a" with a one-minute lease. */
export function createRun(store: StoreHarness, t: AgentTenant, partial: Partial<CreateRunRequest> = {}): Promise<CreateRunResponse> {
  const request = CreateRunRequest.fromPartial({ agentId: t.agentId, owner: "replica-a", leaseTtlMs: 60_000, ...partial });
  return store.call("createRun", request, t.internal);
}

/** A run of the tenant's agent, owned by "replica-a" with a one-minute lease. */
export async function newRun(store: StoreHarness, t: AgentTenant, partial: Partial<CreateRunRequest> = {}): Promise<Run> {
  return (await createRun(store, t, partial)).run!;
}
