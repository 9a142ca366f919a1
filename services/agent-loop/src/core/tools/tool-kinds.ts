import { MessageRole, ToolExecutor, type Message, type Tool, type ToolCall } from "@conduit/proto/agent/v1";

/** Who runs a call: the loop at once, the loop after a human's approval, or the caller. */
export type CallKind = "auto" | "approval" | "client" | "unknown";

export function kindOf(call: ToolCall, agentTools: readonly Tool[], clientTools: readonly Tool[]): CallKind {
  const tool = agentTools.find((t) => t.name === call.name);
  if (tool) {
    if (tool.executor === ToolExecutor.TOOL_EXECUTOR_CLIENT) return "client";
    return tool.requiresApproval ? "approval" : "auto";
  }
  return clientTools.some((t) => t.name === call.name) ? "client" : "unknown";
}

/**
 * The calls a step must wait for: those needing approval and client tools. When a step waits,
 * calls to unknown tools wait with them (the caller may run them, or deny them), so the
 * pending set can be recomputed later from the agent's tools alone.
 */
export function waitingCalls(calls: readonly ToolCall[], agentTools: readonly Tool[], clientTools: readonly Tool[]): ToolCall[] {
  const kinds = calls.map((c) => kindOf(c, agentTools, clientTools));
  if (!kinds.some((k) => k === "approval" || k === "client")) return [];
  return calls.filter((_, i) => kinds[i] !== "auto");
}

/** A pending approval request: the trailing assistant message whose calls have no returns yet. */
export interface PendingRequest {
  requestId: string;
  runId: string | undefined;
  assistant: Message;
  /** The calls the caller must answer. */
  waiting: ToolCall[];
}

/** Reads the pending request, if any, off the end of an agent's context window. */
export function pendingRequestOf(context: readonly Message[], agentTools: readonly Tool[]): PendingRequest | undefined {
  const last = context.at(-1);
  if (!last || last.role !== MessageRole.MESSAGE_ROLE_ASSISTANT || last.toolCalls.length === 0) return undefined;
  const waiting = last.toolCalls.filter((c) => kindOf(c, agentTools, []) !== "auto");
  if (waiting.length === 0) return undefined;
  return { requestId: last.id, runId: last.runId, assistant: last, waiting };
}
