import type { Bus } from "@conduit/bus";
import { GrpcHost, serverStream, unary } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { AgentLoopServiceService, type AgentLoopServiceServer } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "./adapters/caller-auth.js";
import type { StoreConnection } from "./adapters/store-client.js";
import type { IdGenerator } from "./core/ports.js";
import { cancelRun } from "./handlers/cancel-run.js";
import { chatCompletions } from "./handlers/chat-completions.js";
import { getRun } from "./handlers/get-run.js";
import { sendMessage } from "./handlers/send-message.js";
import { startRun } from "./handlers/start-run.js";
import { streamRun } from "./handlers/stream-run.js";
import type { RunEventLog } from "./runs/event-log.js";
import type { RunHost } from "./runs/run-host.js";

export interface ServerDeps {
  log: Logger;
  bus: Bus;
  auth: CallerAuth;
  store: StoreConnection;
  runs: RunHost;
  eventLog: RunEventLog;
  ids: IdGenerator;
  cancelConfirmMs: number;
  healthIntervalMs: number;
}

const rpc = (name: string) => `${SERVICE_NAMES.agentLoop}/${name}`;

/** The agent-loop gRPC server; health follows the bus. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.agentLoop],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
    probes: [{ name: "bus", check: (signal) => deps.bus.check(signal) }],
  });
  host.serve<AgentLoopServiceServer>(AgentLoopServiceService, {
    sendMessage: serverStream(host.runtime, rpc("SendMessage"), sendMessage(deps)),
    startRun: unary(host.runtime, rpc("StartRun"), startRun(deps)),
    getRun: unary(host.runtime, rpc("GetRun"), getRun(deps)),
    cancelRun: unary(host.runtime, rpc("CancelRun"), cancelRun(deps)),
    streamRun: serverStream(host.runtime, rpc("StreamRun"), streamRun(deps)),
    chatCompletions: serverStream(host.runtime, rpc("ChatCompletions"), chatCompletions(deps)),
  });
  return host;
}
