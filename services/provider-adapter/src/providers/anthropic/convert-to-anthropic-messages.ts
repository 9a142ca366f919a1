import {
  MessageRole,
  ToolReturnStatus,
  type ContentPart,
  type ImageContent,
  type Message,
  type ToolReturn,
} from "@conduit/proto/agent/v1";
import type {
  Base64ImageSource,
  ContentBlockParam,
  ImageBlockParam,
  TextBlockParam,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import { sanitizeToolCallId } from "../tool-call-id.js";
import { argumentsObjectOf, producerOf, textOf } from "../message-content.js";

/** One Messages API turn; only user and assistant turns are built. */
export interface AnthropicTurn {
  role: "user" | "assistant";
  content: ContentBlockParam[];
}

export interface AnthropicConversation {
  /** The system prompt and the text of SYSTEM messages, joined; unset when empty. */
  system: string | undefined;
  messages: AnthropicTurn[];
}

/**
 * The Conduit conversation (and system prompt) as Messages API turns.
 *
 * - the system prompt goes apart (`system`); SYSTEM messages of the conversation are appended to
 *   it, since the API takes system instructions only there;
 * - user text and images (inline bytes as a `base64` source, URLs as a `url` source);
 * - assistant content in order: native reasoning with a signature as a `thinking` block, redacted
 *   reasoning as a `redacted_thinking` block (both unchanged), text; then the tool calls as
 *   `tool_use` blocks, their input parsed from `arguments_json` (`{}` when that is empty, invalid
 *   or not an object: the API takes only an object). Reasoning without a signature, non-native
 *   reasoning, and reasoning of messages another provider produced (`model` naming another
 *   provider than `provider`) are dropped;
 * - tool returns as a user turn of `tool_result` blocks (`is_error` for an error status, or an
 *   unset one), with their text and image parts;
 * - consecutive turns of one role merged into one, as the API requires alternation;
 * - tool-call ids sanitised to at most 64 of `[a-zA-Z0-9_-]` (every other character becomes `_`,
 *   a longer id is shortened with a hash, an empty one is `call`), the same way in `tool_use` and
 *   `tool_result`;
 * - APPROVAL messages are skipped (the agent loop turns approvals into tool messages); empty text
 *   blocks and turns left empty are dropped (the API refuses them).
 */
export function convertToAnthropicMessages(
  messages: readonly Message[],
  system?: string,
  provider = "anthropic",
): AnthropicConversation {
  const systemTexts: string[] = system !== undefined && system !== "" ? [system] : [];
  const turns: AnthropicTurn[] = [];
  const push = (role: AnthropicTurn["role"], content: ContentBlockParam[]): void => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  for (const message of messages) {
    switch (message.role) {
      case MessageRole.MESSAGE_ROLE_SYSTEM: {
        const text = textOf(message.content);
        if (text !== "") systemTexts.push(text);
        break;
      }
      case MessageRole.MESSAGE_ROLE_USER:
        push("user", message.content.flatMap(userBlock));
        break;
      case MessageRole.MESSAGE_ROLE_ASSISTANT:
        push("assistant", assistantBlocks(message, provider));
        break;
      case MessageRole.MESSAGE_ROLE_TOOL:
        push("user", toolResultBlocks(message));
        break;
      default:
        // APPROVAL and UNSPECIFIED carry nothing the model should see.
        break;
    }
  }
  return { system: systemTexts.length === 0 ? undefined : systemTexts.join("\n\n"), messages: turns };
}

/** A tool-call id as the API accepts it: at most 64 of `[a-zA-Z0-9_-]`. */
export const toolUseId = (id: string) => sanitizeToolCallId(id, 64);

function userBlock(part: ContentPart): ContentBlockParam[] {
  const p = part.part;
  if (p?.$case === "text") return p.value.text === "" ? [] : [{ type: "text", text: p.value.text }];
  if (p?.$case === "image") {
    const image = imageBlock(p.value);
    return image === undefined ? [] : [image];
  }
  // Reasoning parts never appear in user messages; nothing to send if they do.
  return [];
}

function imageBlock(image: ImageContent): ImageBlockParam | undefined {
  const source = image.source;
  if (source?.$case === "url") return { type: "image", source: { type: "url", url: source.value } };
  if (source?.$case === "base64") {
    return {
      type: "image",
      source: {
        type: "base64",
        // The API checks the media type; an unsupported one is its bad request to report.
        media_type: source.value.mediaType as Base64ImageSource["media_type"],
        data: Buffer.from(source.value.data).toString("base64"),
      },
    };
  }
  return undefined;
}

function assistantBlocks(message: Message, provider: string): ContentBlockParam[] {
  const producer = producerOf(message);
  // Signatures and redacted data are only valid for the provider that produced them.
  const keepReasoning = producer === undefined || producer === provider;
  const blocks: ContentBlockParam[] = [];
  for (const { part } of message.content) {
    switch (part?.$case) {
      case "text":
        if (part.value.text !== "") blocks.push({ type: "text", text: part.value.text });
        break;
      case "reasoning":
        if (keepReasoning && part.value.isNative && part.value.signature !== undefined && part.value.signature !== "") {
          blocks.push({ type: "thinking", thinking: part.value.text, signature: part.value.signature });
        }
        break;
      case "redactedReasoning":
        if (keepReasoning) blocks.push({ type: "redacted_thinking", data: part.value.data });
        break;
      default:
        // Images, omitted and summarized reasoning: nothing this API takes back from the model.
        break;
    }
  }
  for (const call of message.toolCalls) {
    blocks.push({ type: "tool_use", id: toolUseId(call.id), name: call.name, input: argumentsObjectOf(call.argumentsJson) });
  }
  return blocks;
}

function toolResultBlocks(message: Message): ToolResultBlockParam[] {
  if (message.toolReturns.length > 0) return message.toolReturns.map(toolResult);
  // A tool message without returns answers the one call it names.
  if (message.toolCallId === undefined) return [];
  return [{ type: "tool_result", tool_use_id: toolUseId(message.toolCallId), ...resultContent(message.content) }];
}

function toolResult(ret: ToolReturn): ToolResultBlockParam {
  return {
    type: "tool_result",
    tool_use_id: toolUseId(ret.toolCallId),
    ...resultContent(ret.parts),
    ...(ret.status === ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS ? {} : { is_error: true }),
  };
}

/** The text and image parts of a result; no `content` at all when there are none. */
function resultContent(parts: readonly ContentPart[]): { content?: Array<TextBlockParam | ImageBlockParam> } {
  const content: Array<TextBlockParam | ImageBlockParam> = [];
  for (const { part } of parts) {
    if (part?.$case === "text" && part.value.text !== "") content.push({ type: "text", text: part.value.text });
    else if (part?.$case === "image") {
      const image = imageBlock(part.value);
      if (image) content.push(image);
    }
  }
  return content.length === 0 ? {} : { content };
}
