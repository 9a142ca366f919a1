import { CreateRunRequest } from "@conduit/proto/store/v1";
import type { Run } from "@conduit/proto/agent/v1";
import type { AgentTenant, StoreHarness } from "./store-harness.js";

/** A run of the tenant's agent, owned by "replica-a" with a one-minute lease. */
export async function newRun(store: StoreHarness, t: AgentTenant, partial: Partial<CreateRunRequest> = {}): Promise<Run> {
  const request = CreateRunRequest.fromPartial({ agentId: t.agentId, owner: "replica-a", leaseTtlMs: 60_000, ...partial });
  return (await store.call("createRun", request, t.internal)).run!;
}
