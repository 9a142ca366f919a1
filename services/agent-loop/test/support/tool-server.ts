import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import { ToolExecutorServiceService, type ExecuteToolRequest, type ExecuteToolResponse } from "@conduit/proto/agent/v1";

/**
 * A real ToolExecutorService for tests: `lookup` answers at once, `broken` fails, and
 * `slow_lookup` works until its caller cancels (and says so).
 */
export interface ToolServer {
  readonly address: string;
  readonly calls: ExecuteToolRequest[];
  /** Resolves when a `slow_lookup` call has started. */
  slowStarted(): Promise<void>;
  /** Resolves when a `slow_lookup` call was cancelled by its caller. */
  slowCancelled(): Promise<void>;
  close(): Promise<void>;
}

export async function startToolServer(): Promise<ToolServer> {
  const calls: ExecuteToolRequest[] = [];
  let started!: () => void;
  let cancelled!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const cancelledP = new Promise<void>((r) => (cancelled = r));
  const server = new Server();
  server.addService(ToolExecutorServiceService, {
    executeTool(call: ServerUnaryCall<ExecuteToolRequest, ExecuteToolResponse>, reply: sendUnaryData<ExecuteToolResponse>) {
      calls.push(call.request);
      const text = (t: string): ExecuteToolResponse => ({ parts: [{ part: { $case: "text", value: { text: t } } }], isError: false, stdout: [], stderr: [] });
      switch (call.request.toolName) {
        case "lookup":
          return reply(null, text(`found ${call.request.argumentsJson}`));
        case "broken":
          return reply({ code: status.INTERNAL, details: "disk on fire" });
        case "slow_lookup":
          started();
          call.on("cancelled", () => cancelled());
          return; // never answers: only a cancel ends it
        default:
          return reply({ code: status.NOT_FOUND, details: `no tool ${call.request.toolName}` });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    slowStarted: () => startedP,
    slowCancelled: () => cancelledP,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}

/** An agent tool served by the test tool server. */
export const externalTool = (name: string, endpoint: string) => ({
  name,
  description: `${name} on a tool server`,
  jsonSchema: { type: "object", properties: { q: { type: "string" } } },
  requiresApproval: false,
  executor: 3,
  externalEndpoint: endpoint,
});
