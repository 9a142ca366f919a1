import { invalidArgument, ServiceError, Status } from "@conduit/grpc-kit";
import {
  errorTypeToJSON,
  MessageRole,
  RunStatus,
  stopReasonToJSON,
  type ChatCompletionChunk,
  type ChatCompletionsRequest,
  type RunEvent,
} from "@conduit/proto/agent/v1";
import { REQUEST_LIMITS, type RunRequest } from "../handlers/run-request.js";
import type { RunHost } from "./run-host.js";

/**
 * An OpenAI chat completion addressed to an agent: the last message (a user message with text)
 * becomes the agent's input, and only the assistant's text comes back, as chat-completion
 * chunks. Shared by the gRPC RPC and the HTTP endpoint.
 */
export async function* chatCompletion(runs: RunHost, organizationId: string, request: ChatCompletionsRequest, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
  const input = lastUserText(request);
  const req: RunRequest = {
    agentId: request.model,
    conversationId: undefined,
    messages: [{ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: input } } }], otid: "", approvals: [], name: request.user }],
    streamTokens: true,
    include: new Set(),
    maxSteps: undefined,
    background: false,
    clientTools: [],
    pingIntervalMs: REQUEST_LIMITS.defaultPingIntervalMs,
  };
  if (!req.agentId) throw invalidArgument("model", "must be an agent id");
  const attachment = await runs.start(organizationId, req, { signal });
  // Without caller otids there is no idempotency key, so the run is always new and local.
  if (attachment.kind !== "live") throw new Error("a chat completion attached to an existing run");
  const { active } = attachment;
  const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finishReason?: string): ChatCompletionChunk => ({
    id: active.run.id,
    object: "chat.completion.chunk",
    created: String(Math.floor((active.run.createdAt?.getTime() ?? Date.now()) / 1000)),
    model: request.model,
    choices: [{ index: 0, delta, finishReason }],
  });
  const reading = new AbortController();
  const onAbort = () => {
    active.cancel();
    reading.abort();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    yield chunk({ role: "assistant" });
    let error: RunEvent["payload"] | undefined;
    const whole: string[] = [];
    for await (const event of active.channel.read(0, reading.signal)) {
      const p = event.payload;
      if (p?.$case === "assistant" && p.value.content?.value) {
        if (request.stream) yield chunk({ content: p.value.content.value });
        else whole.push(p.value.content.value);
      }
      if (p?.$case === "error") error = p;
    }
    const run = await active.done;
    if (run.status === RunStatus.RUN_STATUS_CANCELLED) {
      throw new ServiceError(Status.CANCELLED, "RUN_CANCELLED", `run ${run.id} was cancelled`, { metadata: { run_id: run.id } });
    }
    if (run.status === RunStatus.RUN_STATUS_FAILED) {
      const message = error?.$case === "error" ? error.value.message : "the run failed";
      throw new ServiceError(Status.UNAVAILABLE, "RUN_FAILED", `run ${run.id} failed: ${message}`, {
        metadata: { run_id: run.id, error_type: errorTypeToJSON(run.error?.errorType ?? 0), stop_reason: stopReasonToJSON(run.stopReason) },
      });
    }
    if (!request.stream) yield chunk({ content: whole.join("") });
    yield chunk({}, "stop");
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (!active.channel.isEnded) active.cancel();
  }
}

/** The last message's text; anything else is the caller's mistake, named as `messages`. */
function lastUserText(request: ChatCompletionsRequest): string {
  const last = request.messages.at(-1);
  if (!last) throw invalidArgument("messages", "must hold at least one message");
  if (last.role !== "user") throw invalidArgument("messages", `the last message must be a user message (got "${last.role}")`);
  if (last.content !== undefined) {
    if (last.contentParts.length > 0) throw invalidArgument("messages", "the last message has both content and content parts");
    if (last.content === "") throw invalidArgument("messages", "the last message's content must not be empty");
    return last.content;
  }
  if (last.contentParts.length === 0 || last.contentParts.some((p) => p.type !== "text" || p.text === undefined)) {
    throw invalidArgument("messages", "the last message's content must be text");
  }
  return last.contentParts.map((p) => p.text).join("\n");
}
