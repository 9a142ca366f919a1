import type { ContentPart, Message } from "@conduit/proto/agent/v1";

/**
 * How much of a message full-text search sees, in UTF-16 units. Postgres refuses a tsvector
 * over 1 MiB, which a 1 MiB message of distinct words exceeds; the tsvector of this much text
 * stays well under that whatever the words.
 */
export const MAX_SEARCH_TEXT = 128 * 1024;

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
  return truncate(parts.filter(Boolean).join("\n"), MAX_SEARCH_TEXT);
}

/** The first `max` UTF-16 units, without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
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
