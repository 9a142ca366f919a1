import { AgentType, MessageRole, type Message, type RunEvent } from "@conduit/proto/agent/v1";

/** One content block as a caller sees it: its kind and its text joined from the events. */
export interface BlockView {
  kind: "reasoning" | "hidden" | "assistant" | "tool_call" | "tool_return";
  text: string;
  signature?: string;
}

const KIND = {
  reasoning: "reasoning",
  hiddenReasoning: "hidden",
  assistant: "assistant",
  toolCall: "tool_call",
  toolReturn: "tool_return",
} as const;

/** The messages a stream carried: blocks grouped by message id, in order of first appearance. */
export function assembleStream(events: readonly RunEvent[]): Map<string, BlockView[]> {
  const messages = new Map<string, Map<string, BlockView>>();
  for (const e of events) {
    const p = e.payload;
    if (!p || !e.messageId || !(p.$case in KIND)) continue;
    const blocks = messages.get(e.messageId) ?? new Map<string, BlockView>();
    messages.set(e.messageId, blocks);
    const key = e.otid ?? `${blocks.size}`;
    const block: BlockView = blocks.get(key) ?? { kind: KIND[p.$case as keyof typeof KIND], text: "" };
    blocks.set(key, block);
    switch (p.$case) {
      case "reasoning":
        block.text += p.value.content?.value ?? "";
        if (p.value.signature) block.signature = p.value.signature;
        break;
      case "assistant":
        block.text += p.value.content?.value ?? "";
        break;
      case "hiddenReasoning":
        block.text += p.value.data ?? "";
        break;
      case "toolCall":
        block.text += p.value.argumentsDelta;
        break;
      case "toolReturn":
        block.text += JSON.stringify(p.value);
        break;
    }
  }
  return new Map([...messages].map(([id, blocks]) => [id, [...blocks.values()]]));
}

/**
 * The same view of a stored message, written independently of the server's code: react shows
 * reasoning, text and tool calls; memgpt shows inner thoughts, and send_message as assistant text.
 */
export function storedView(message: Message, agentType: AgentType): BlockView[] {
  if (message.role === MessageRole.MESSAGE_ROLE_TOOL) {
    return message.toolReturns.map((r) => ({ kind: "tool_return", text: JSON.stringify(r) }));
  }
  const content = message.content.flatMap((c): BlockView[] => {
    switch (c.part?.$case) {
      case "reasoning":
        return [{ kind: "reasoning", text: c.part.value.text, ...(c.part.value.signature ? { signature: c.part.value.signature } : {}) }];
      case "redactedReasoning":
        return [{ kind: "hidden", text: c.part.value.data }];
      case "text":
        return [{ kind: "assistant", text: c.part.value.text }];
      default:
        return [];
    }
  });
  const calls = message.toolCalls.map((call): BlockView => {
    if (agentType === AgentType.AGENT_TYPE_MEMGPT && call.name === "send_message") {
      return { kind: "assistant", text: (JSON.parse(call.argumentsJson) as { message: string }).message };
    }
    return { kind: "tool_call", text: call.argumentsJson };
  });
  return [...content, ...calls];
}

/** Blocks in a canonical order (content blocks first, then calls), since calls may interleave. */
export const canonical = (blocks: BlockView[]) => [...blocks.filter((b) => b.kind !== "tool_call"), ...blocks.filter((b) => b.kind === "tool_call")];
