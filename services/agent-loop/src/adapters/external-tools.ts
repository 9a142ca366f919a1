import { credentials, type Client } from "@grpc/grpc-js";
import { callUnary, CLIENT_OPTIONS, releasedClient, ServiceError, Status } from "@conduit/grpc-kit";
import { ToolExecutorServiceClient, ToolReturnStatus, type Tool, type ToolReturn } from "@conduit/proto/agent/v1";
import { ToolRefusal, type ExternalCall, type ExternalTools, type Signalled } from "../core/ports.js";

/** ToolExecutorService servers by endpoint, one channel each; a run's cancel cancels the call. */
export class ToolExecutorClients implements ExternalTools {
  private readonly clients = new Map<string, InstanceType<typeof ToolExecutorServiceClient>>();

  constructor(private readonly timeoutMs: number) {}

  async execute(tool: Tool, call: ExternalCall, opts: Signalled): Promise<ToolReturn> {
    const endpoint = tool.externalEndpoint;
    if (!endpoint) throw new ToolRefusal(`tool "${tool.name}" has no external endpoint`);
    const client = this.clientFor(endpoint);
    try {
      const res = await callUnary(
        client.executeTool.bind(client),
        { toolName: tool.name, ...call },
        { signal: opts.signal, timeoutMs: this.timeoutMs },
      );
      return {
        toolCallId: call.toolCallId,
        status: res.isError ? ToolReturnStatus.TOOL_RETURN_STATUS_ERROR : ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS,
        parts: res.parts,
        stdout: res.stdout,
        stderr: res.stderr,
      };
    } catch (err) {
      if (opts.signal.aborted || !(err instanceof ServiceError)) throw err;
      // The tool's failure is the model's to handle, like any tool error.
      const why = err.code === Status.UNAVAILABLE ? `the tool server at ${endpoint} cannot be reached` : err.message;
      throw new ToolRefusal(`${tool.name} failed: ${why}`);
    }
  }

  close(): void {
    for (const client of this.clients.values()) (client as Client).close();
  }

  private clientFor(endpoint: string) {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new (releasedClient(ToolExecutorServiceClient))(endpoint, credentials.createInsecure(), CLIENT_OPTIONS);
      this.clients.set(endpoint, client);
    }
    return client;
  }
}
