import { MessagePayloadType, type RunEvent } from "@conduit/proto/agent/v1";

const PAYLOAD_TYPE: Partial<Record<NonNullable<RunEvent["payload"]>["$case"], MessagePayloadType>> = {
  reasoning: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_REASONING,
  hiddenReasoning: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_HIDDEN_REASONING,
  assistant: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_ASSISTANT,
  toolCall: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_TOOL_CALL,
  toolReturn: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_TOOL_RETURN,
  approvalRequest: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_APPROVAL_REQUEST,
};

/** `include_return_message_types` filters message payloads only; an empty filter shows all. */
export function visibleTo(event: RunEvent, include: ReadonlySet<MessagePayloadType>): boolean {
  if (include.size === 0 || !event.payload) return true;
  const type = PAYLOAD_TYPE[event.payload.$case];
  return type === undefined || include.has(type);
}
