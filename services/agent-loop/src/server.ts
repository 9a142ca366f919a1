import type { Bus } from "@conduit/bus";
import { GrpcHost } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { AgentLoopServiceService, type AgentLoopServiceServer } from "@conduit/proto/agent/v1";

export interface ServerDeps {
  log: Logger;
  bus: Bus;
  healthIntervalMs: number;
}

/** The agent-loop gRPC server. Its RPCs are not served yet; health follows the bus. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.agentLoop],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
    probes: [{ name: "bus", check: (signal) => deps.bus.check(signal) }],
  });
  host.serve<AgentLoopServiceServer>(AgentLoopServiceService, {});
  return host;
}
