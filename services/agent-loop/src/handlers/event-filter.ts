import { MessagePayloadType } from "@conduit/proto/agent/v1";
import { payloadCaseOf, type PayloadCase, type StreamedEvent } from "../events/encoded-event.js";

const PAYLOAD_TYPE: Partial<Record<PayloadCase, MessagePayloadType>> = {
  reasoning: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_REASONING,
  hiddenReasoning: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_HIDDEN_REASONING,
  assistant: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_ASSISTANT,
  toolCall: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_TOOL_CALL,
  toolReturn: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_TOOL_RETURN,
  approvalRequest: MessagePayloadType.MESSAGE_PAYLOAD_TYPE_APPROVAL_REQUEST,
};

/** `include_return_message_types` filters message payloads only; an empty filter shows all. */
export function visibleTo(event: StreamedEvent, include: ReadonlySet<MessagePayloadType>): boolean {
  if (include.size === 0) return true;
  const payload = payloadCaseOf(event);
  if (payload === undefined) return true;
  const type = PAYLOAD_TYPE[payload];
  return type === undefined || include.has(type);
}
