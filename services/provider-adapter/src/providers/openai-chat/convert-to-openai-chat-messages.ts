import {
  MessageRole,
  type ContentPart,
  type ImageContent,
  type Message,
  type ToolReturn,
} from "@conduit/proto/agent/v1";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionUserMessageParam,
} from "openai/resources/chat/completions";
import { sanitizeToolCallId } from "../tool-call-id.js";
import { imageUrlOf } from "../image-url.js";
import { textOf } from "../message-content.js";

/**
 * The Conduit conversation (and system prompt) as Chat Completions messages.
 *
 * - user and system text; images in user messages as `image_url` parts (the URL, or a `data:` URL
 *   from inline bytes);
 * - assistant text and tool calls, ids sanitised (at most 40 of `[a-zA-Z0-9_-]`, the same in the
 *   call and its return); reasoning of any kind is dropped, since this
 *   API takes none back (DeepSeek's `reasoning_content` must not be sent back);
 * - one `tool` message per ToolReturn, with its `tool_call_id`; an image in a tool return becomes
 *   the text `[image omitted: <media type>]` (Chat Completions takes no images in tool messages);
 * - APPROVAL messages are skipped (the agent loop turns approvals into tool messages).
 */
export function convertToOpenAIChatMessages(messages: readonly Message[], system?: string): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system !== undefined && system !== "") out.push({ role: "system", content: system });
  for (const message of messages) {
    switch (message.role) {
      case MessageRole.MESSAGE_ROLE_SYSTEM: {
        const text = textOf(message.content);
        if (text !== "") out.push({ role: "system", content: text });
        break;
      }
      case MessageRole.MESSAGE_ROLE_USER:
        out.push(userMessage(message));
        break;
      case MessageRole.MESSAGE_ROLE_ASSISTANT: {
        const assistant = assistantMessage(message);
        if (assistant) out.push(assistant);
        break;
      }
      case MessageRole.MESSAGE_ROLE_TOOL:
        out.push(...toolMessages(message));
        break;
      default:
        // APPROVAL and UNSPECIFIED carry nothing the model should see.
        break;
    }
  }
  return out;
}

function userMessage(message: Message): ChatCompletionUserMessageParam {
  const name = message.name === undefined || message.name === "" ? {} : { name: message.name };
  const parts = message.content.flatMap(userPart);
  const only = parts[0];
  if (parts.length === 1 && only?.type === "text") return { role: "user", content: only.text, ...name };
  return { role: "user", content: parts, ...name };
}

function userPart(part: ContentPart): ChatCompletionContentPart[] {
  const p = part.part;
  if (p?.$case === "text") return [{ type: "text", text: p.value.text }];
  if (p?.$case === "image") {
    const url = imageUrlOf(p.value);
    return url === undefined ? [] : [{ type: "image_url", image_url: { url } }];
  }
  // Reasoning parts never appear in user messages; nothing to send if they do.
  return [];
}

function assistantMessage(message: Message): ChatCompletionAssistantMessageParam | undefined {
  const text = textOf(message.content);
  const toolCalls = message.toolCalls.map((call) => ({
    id: callId(call.id),
    type: "function" as const,
    function: { name: call.name, arguments: call.argumentsJson === "" ? "{}" : call.argumentsJson },
  }));
  if (toolCalls.length === 0) {
    // A message of reasoning only has nothing this API takes.
    return text === "" ? undefined : { role: "assistant", content: text };
  }
  return { role: "assistant", content: text === "" ? null : text, tool_calls: toolCalls };
}

function toolMessages(message: Message): ChatCompletionMessageParam[] {
  if (message.toolReturns.length > 0) {
    return message.toolReturns.map((ret) => ({ role: "tool", tool_call_id: callId(ret.toolCallId), content: toolReturnText(ret) }));
  }
  // A tool message without returns answers the one call it names.
  if (message.toolCallId === undefined) return [];
  return [{ role: "tool", tool_call_id: callId(message.toolCallId), content: partsText(message.content) }];
}

/** OpenAI refuses tool-call ids longer than 40 characters. */
const callId = (id: string) => sanitizeToolCallId(id, 40);

function toolReturnText(ret: ToolReturn): string {
  return partsText(ret.parts);
}

/** Text and image placeholders of parts, one per line; reasoning dropped. */
function partsText(parts: readonly ContentPart[]): string {
  const lines: string[] = [];
  for (const { part } of parts) {
    if (part?.$case === "text") lines.push(part.value.text);
    else if (part?.$case === "image") lines.push(`[image omitted: ${imageMediaType(part.value)}]`);
  }
  return lines.join("\n");
}

function imageMediaType(image: ImageContent): string {
  const source = image.source;
  if (source?.$case === "base64" && source.value.mediaType !== "") return source.value.mediaType;
  return "image";
}
