import type { Approval } from "@conduit/proto/agent/v1";
import type { PendingRequest } from "./tools/tool-kinds.js";

/** How a caller's approvals fit the agent's pending request. */
export type AnswerCheck =
  | { kind: "none" }
  | { kind: "answers"; pending: PendingRequest; answers: ReadonlyMap<string, Approval> }
  | { kind: "pending_unanswered"; pending: PendingRequest }
  | { kind: "unknown_call"; toolCallId: string }
  | { kind: "unanswered_calls"; toolCallIds: string[] }
  | { kind: "answered_twice"; toolCallId: string };

/** Every waiting call answered exactly once, and nothing else answered. */
export function checkAnswers(pending: PendingRequest | undefined, approvals: readonly Approval[]): AnswerCheck {
  if (approvals.length === 0) return pending ? { kind: "pending_unanswered", pending } : { kind: "none" };
  const waiting = new Set(pending?.waiting.map((c) => c.id) ?? []);
  const answers = new Map<string, Approval>();
  for (const approval of approvals) {
    const id = callIdOf(approval);
    if (!waiting.has(id)) return { kind: "unknown_call", toolCallId: id };
    if (answers.has(id)) return { kind: "answered_twice", toolCallId: id };
    answers.set(id, approval);
  }
  const unanswered = [...waiting].filter((id) => !answers.has(id));
  if (unanswered.length > 0) return { kind: "unanswered_calls", toolCallIds: unanswered };
  return { kind: "answers", pending: pending!, answers };
}

export function callIdOf(approval: Approval): string {
  const a = approval.approval;
  if (!a) return "";
  return a.$case === "decision" ? a.value.toolCallId : a.value.toolCallId;
}
