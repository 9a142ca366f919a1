import { createHash } from "node:crypto";
import { ServiceError, Status, invalidArgument } from "@conduit/grpc-kit";
import { MessageRole, type Agent, type Message } from "@conduit/proto/agent/v1";
import { checkAnswers, type AnswerCheck } from "../core/approvals.js";
import { blockOtid } from "../core/ids.js";
import type { IdGenerator } from "../core/ports.js";
import { pendingRequestOf } from "../core/tools/tool-kinds.js";
import { emptyMessage } from "../core/turn.js";
import type { RunRequest } from "../handlers/run-request.js";

/** A request checked against the agent's state: ready to become a run. */
export interface PreparedRun {
  agent: Agent;
  history: Message[];
  input: Message[];
  answers: Extract<AnswerCheck, { kind: "answers" }> | undefined;
}

/**
 * Checks the request against the agent and the context its run starts from: client tools that
 * clash with the agent's, a pending approval the request ignores, approvals that do not fit it.
 * Every refusal happens here, before the run does anything.
 */
export function prepareRun(agent: Agent, history: Message[], req: RunRequest, ids: IdGenerator): PreparedRun {
  req.clientTools.forEach((tool, i) => {
    if (agent.tools.some((t) => t.name === tool.name)) {
      throw invalidArgument(`client_tools[${i}].name`, `"${tool.name}" is already a tool of the agent`);
    }
  });
  const answering = req.messages.findIndex((m) => m.approvals.length > 0);
  const check = checkAnswers(pendingRequestOf(history, agent.tools), req.messages[answering]?.approvals ?? []);
  refuseUnfit(check, answering);
  const input = req.messages.map((m): Message => {
    const id = ids.messageId();
    const approval = m.approvals.length > 0;
    return {
      ...emptyMessage(),
      id,
      otid: m.otid || blockOtid(id, 0),
      agentId: agent.id,
      conversationId: req.conversationId,
      role: approval ? MessageRole.MESSAGE_ROLE_APPROVAL : m.role || MessageRole.MESSAGE_ROLE_USER,
      content: m.content,
      approvals: m.approvals,
      name: m.name,
    };
  });
  return { agent, history, input, answers: check.kind === "answers" ? check : undefined };
}

function refuseUnfit(check: AnswerCheck, answering: number): void {
  const field = `messages[${answering}].approvals`;
  switch (check.kind) {
    case "none":
    case "answers":
      return;
    case "pending_unanswered":
      throw new ServiceError(
        Status.FAILED_PRECONDITION,
        "PENDING_APPROVAL",
        `the agent waits for approval of request ${check.pending.requestId}; answer it with approvals first`,
        { metadata: { request_id: check.pending.requestId, run_id: check.pending.runId ?? "" } },
      );
    case "unknown_call":
      throw new ServiceError(Status.INVALID_ARGUMENT, "UNKNOWN_TOOL_CALL", `tool call ${check.toolCallId} is not pending`, {
        metadata: { tool_call_id: check.toolCallId, field },
      });
    case "unanswered_calls":
      throw invalidArgument(field, `every pending tool call must be answered; missing: ${check.toolCallIds.join(", ")}`);
    case "answered_twice":
      throw invalidArgument(field, `tool call ${check.toolCallId} is answered twice`);
  }
}

/** Same input, same key: the run a re-sent input belongs to. Only when the caller chose every otid. */
export function idempotencyKeyOf(req: RunRequest): string | undefined {
  if (!req.messages.every((m) => m.otid !== "")) return undefined;
  const otids = JSON.stringify([req.conversationId ?? null, ...req.messages.map((m) => m.otid)]);
  return `otids:${createHash("sha256").update(otids).digest("hex")}`;
}
