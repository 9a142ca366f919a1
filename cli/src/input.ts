import { MessageRole, type Approval, type MessageCreate } from "@conduit/proto/agent/v1";

/** A user's text message. */
export const userMessage = (text: string): MessageCreate => ({
  role: MessageRole.MESSAGE_ROLE_USER,
  content: [{ part: { $case: "text", value: { text } } }],
  otid: "",
  approvals: [],
});

/** Answers to a pending approval request. */
export const approvalMessage = (approvals: Approval[]): MessageCreate => ({
  role: MessageRole.MESSAGE_ROLE_APPROVAL,
  content: [],
  otid: "",
  approvals,
});

export const decision = (toolCallId: string, approve: boolean, reason?: string): Approval => ({
  approval: { $case: "decision", value: { toolCallId, approve, ...(reason ? { reason } : {}) } },
});
