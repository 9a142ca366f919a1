import { MessageRole, type Approval, type MessageCreate } from "@conduit/proto/agent/v1";

/** A user message as a caller sends it. */
export const userText = (text: string, otid = ""): MessageCreate => ({
  role: MessageRole.MESSAGE_ROLE_USER,
  content: [{ part: { $case: "text", value: { text } } }],
  otid,
  approvals: [],
});

/** An approval message answering pending calls. */
export const answers = (...approvals: Approval[]): MessageCreate => ({
  role: MessageRole.MESSAGE_ROLE_APPROVAL,
  content: [],
  otid: "",
  approvals,
});

export const approve = (toolCallId: string): Approval => ({ approval: { $case: "decision", value: { toolCallId, approve: true } } });
export const deny = (toolCallId: string, reason: string): Approval => ({
  approval: { $case: "decision", value: { toolCallId, approve: false, reason } },
});
export const toolResult = (toolCallId: string, text: string): Approval => ({
  approval: {
    $case: "toolReturn",
    value: { toolCallId, status: 1, parts: [{ part: { $case: "text", value: { text } } }], stdout: [], stderr: [] },
  },
});
