import type { Bus } from "@conduit/bus";
import { GrpcHost, serverStream, unary } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { AgentLoopServiceService, RunEvent, type AgentLoopServiceServer } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "./adapters/caller-auth.js";
import type { StoreConnection } from "./adapters/store-client.js";
import type { IdGenerator } from "./core/ports.js";
import { EncodedRunEvent, type StreamedEvent } from "./events/encoded-event.js";
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

/** A run event for the wire: a logged one goes out as the bytes it was logged as. */
function serializeEvent(event: StreamedEvent): Buffer {
  if (event instanceof EncodedRunEvent) return Buffer.from(event.bytes.buffer, event.bytes.byteOffset, event.bytes.byteLength);
  return Buffer.from(RunEvent.encode(event).finish());
}

/** The service, with the run-event streams that may replay logged events taking them encoded. */
const service = {
  ...AgentLoopServiceService,
  sendMessage: { ...AgentLoopServiceService.sendMessage, responseSerialize: serializeEvent },
  streamRun: { ...AgentLoopServiceService.streamRun, responseSerialize: serializeEvent },
};

/** Their handlers stream RunEvents or encoded ones; the generated server type knows only the first. */
const eventStream = <H>(handler: unknown) => handler as H;

/** The agent-loop gRPC server; health follows the bus. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.agentLoop],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
    probes: [{ name: "bus", check: (signal) => deps.bus.check(signal) }],
  });
  host.serve<AgentLoopServiceServer>(service, {
    sendMessage: eventStream<AgentLoopServiceServer["sendMessage"]>(serverStream(host.runtime, rpc("SendMessage"), sendMessage(deps))),
    startRun: unary(host.runtime, rpc("StartRun"), startRun(deps)),
    getRun: unary(host.runtime, rpc("GetRun"), getRun(deps)),
    cancelRun: unary(host.runtime, rpc("CancelRun"), cancelRun(deps)),
    streamRun: eventStream<AgentLoopServiceServer["streamRun"]>(serverStream(host.runtime, rpc("StreamRun"), streamRun(deps))),
    chatCompletions: serverStream(host.runtime, rpc("ChatCompletions"), chatCompletions(deps)),
  });
  return host;
}
