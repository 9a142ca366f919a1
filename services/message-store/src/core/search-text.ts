import type { ContentPart, Message } from "@conduit/proto/agent/v1";

/**
 * What full-text search sees of a message: its text and reasoning, the names and arguments of
 * its tool calls, and the text its tool returns carry. Images and encrypted data are left out.
 */
export function searchText(message: Message): string {
  const parts: string[] = [];
  for (const part of message.content) pushPart(parts, part);
  for (const call of message.toolCalls) parts.push(call.name, call.argumentsJson);
  for (const ret of message.toolReturns) for (const part of ret.parts) pushPart(parts, part);
  for (const approval of message.approvals) {
    if (approval.approval?.$case === "decision" && approval.approval.value.reason) parts.push(approval.approval.value.reason);
    if (approval.approval?.$case === "toolReturn") for (const part of approval.approval.value.parts) pushPart(parts, part);
  }
  return parts.filter(Boolean).join("\n");
}

function pushPart(out: string[], part: ContentPart): void {
  switch (part.part?.$case) {
    case "text":
    case "reasoning":
      out.push(part.part.value.text);
      return;
    case "summarizedReasoning":
      out.push(...part.part.value.summaries);
      return;
    case "image":
    case "redactedReasoning":
    case "omittedReasoning":
    case undefined:
      return;
    default: {
      const unreachable: never = part.part;
      return unreachable;
    }
  }
}
