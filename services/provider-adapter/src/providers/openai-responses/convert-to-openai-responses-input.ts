import {
  MessageRole,
  type ContentPart,
  type Message,
  type ToolReturn,
} from "@conduit/proto/agent/v1";
import type {
  ResponseFunctionCallOutputItem,
  ResponseInputItem,
  ResponseInputMessageContentList,
} from "openai/resources/responses/responses";
import { imageUrlOf } from "../image-url.js";
import { sanitizeToolCallId } from "../tool-call-id.js";
import { producerOf, textOf } from "../message-content.js";

export interface OpenAIResponsesInput {
  /** The system prompt; unset when empty. */
  instructions: string | undefined;
  input: ResponseInputItem[];
}

/**
 * The Conduit conversation (and system prompt) as Responses API input items.
 *
 * - the system prompt becomes `instructions`; SYSTEM messages stay in place as system messages;
 * - user text and images as `input_text` / `input_image` parts (an image URL as is, inline bytes
 *   as a `data:` URL);
 * - assistant content in order: text as assistant messages, `summarized_reasoning` as `reasoning`
 *   items (id, summaries, encrypted content); then the tool calls as `function_call` items.
 *   Reasoning items go back only to the provider that produced them (the message's `model`
 *   names `provider`): their ids and encrypted content mean nothing elsewhere. Other kinds of
 *   reasoning (Anthropic thinking, redacted, streamed summary text) are never sent;
 * - each ToolReturn as a `function_call_output`: its text as a string, or, when it holds an
 *   image, the list form with `input_text` and `input_image` parts, so the model sees the image;
 * - call ids sanitised the same way in `function_call` and `function_call_output`;
 * - APPROVAL messages are skipped (the agent loop turns approvals into tool messages).
 */
export function convertToOpenAIResponsesInput(
  messages: readonly Message[],
  system: string | undefined,
  provider: string,
): OpenAIResponsesInput {
  const input: ResponseInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case MessageRole.MESSAGE_ROLE_SYSTEM: {
        const text = textOf(message.content);
        if (text !== "") input.push({ type: "message", role: "system", content: text });
        break;
      }
      case MessageRole.MESSAGE_ROLE_USER: {
        const content = message.content.flatMap(userPart);
        if (content.length > 0) input.push({ type: "message", role: "user", content });
        break;
      }
      case MessageRole.MESSAGE_ROLE_ASSISTANT:
        input.push(...assistantItems(message, provider));
        break;
      case MessageRole.MESSAGE_ROLE_TOOL:
        input.push(...toolOutputs(message));
        break;
      default:
        // APPROVAL and UNSPECIFIED carry nothing the model should see.
        break;
    }
  }
  return { instructions: system === undefined || system === "" ? undefined : system, input };
}

/** A call id as the API takes it: at most 64 of `[a-zA-Z0-9_-]`, the same in a call and its output. */
export const sanitizeCallId = (id: string) => sanitizeToolCallId(id, 64);

function userPart(part: ContentPart): ResponseInputMessageContentList {
  const p = part.part;
  if (p?.$case === "text") return p.value.text === "" ? [] : [{ type: "input_text", text: p.value.text }];
  if (p?.$case === "image") {
    const url = imageUrlOf(p.value);
    return url === undefined ? [] : [{ type: "input_image", image_url: url, detail: "auto" }];
  }
  // Reasoning parts never appear in user messages; nothing to send if they do.
  return [];
}

function assistantItems(message: Message, provider: string): ResponseInputItem[] {
  const producer = producerOf(message);
  const items: ResponseInputItem[] = [];
  for (const { part } of message.content) {
    if (part?.$case === "text" && part.value.text !== "") {
      items.push({ type: "message", role: "assistant", content: part.value.text });
    } else if (part?.$case === "summarizedReasoning" && producer === provider && part.value.encryptedContent) {
      // Stateless (`store: false`): an item without its encrypted content cannot be resolved.
      const { id, summaries, encryptedContent } = part.value;
      items.push({ type: "reasoning", id, summary: summaries.map((text) => ({ type: "summary_text", text })), encrypted_content: encryptedContent });
    }
  }
  // A reasoning item must be followed by the output it led to; alone it is refused.
  if (message.toolCalls.length === 0 && items.every((item) => item.type === "reasoning")) return [];
  for (const call of message.toolCalls) {
    items.push({
      type: "function_call",
      call_id: sanitizeCallId(call.id),
      name: call.name,
      arguments: call.argumentsJson === "" ? "{}" : call.argumentsJson,
    });
  }
  return items;
}

function toolOutputs(message: Message): ResponseInputItem[] {
  if (message.toolReturns.length > 0) return message.toolReturns.map(toolOutput);
  // A tool message without returns answers the one call it names.
  if (message.toolCallId === undefined) return [];
  return [{ type: "function_call_output", call_id: sanitizeCallId(message.toolCallId), output: outputOf(message.content) }];
}

function toolOutput(ret: ToolReturn): ResponseInputItem {
  return { type: "function_call_output", call_id: sanitizeCallId(ret.toolCallId), output: outputOf(ret.parts) };
}

/** Text alone as a string (what every model takes); with an image, the list of parts. */
function outputOf(parts: readonly ContentPart[]): string | ResponseFunctionCallOutputItem[] {
  const items: ResponseFunctionCallOutputItem[] = [];
  for (const { part } of parts) {
    if (part?.$case === "text" && part.value.text !== "") items.push({ type: "input_text", text: part.value.text });
    else if (part?.$case === "image") {
      const url = imageUrlOf(part.value);
      if (url !== undefined) items.push({ type: "input_image", image_url: url, detail: "auto" });
    }
  }
  if (items.every((item) => item.type === "input_text")) return textOf(parts);
  return items;
}
