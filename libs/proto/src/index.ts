export { descriptorSet } from "./gen/descriptor-set.js";

/** Fully qualified gRPC service names, as health checks and reflection know them. */
export const SERVICE_NAMES = {
  agentLoop: "conduit.agent.v1.AgentLoopService",
  messageStore: "conduit.store.v1.MessageStoreService",
  providerAdapter: "conduit.provider.v1.ProviderAdapterService",
} as const;

export { runStatusForStopReason } from "./run-status.js";
