import {
  MessageRole,
  ToolReturnStatus,
  type ContentPart,
  type ImageContent,
  type Message,
  type ToolCall,
} from "@conduit/proto/agent/v1";
import type { Content, Part } from "@google/genai";
import { argumentsObjectOf, producerOf, textOf } from "../message-content.js";

export interface GeminiConversation {
  /** The system prompt and the text of SYSTEM messages, joined; unset when empty. */
  systemInstruction: Content | undefined;
  contents: Content[];
}

/**
 * The Conduit conversation (and system prompt) as Gemini contents.
 *
 * - the system prompt goes apart (`systemInstruction`); SYSTEM messages of the conversation are
 *   appended to it, since Gemini takes system instructions only there;
 * - user text and images (inline bytes as `inlineData`, URLs as `fileData`);
 * - assistant content as a `model` turn, in order: native reasoning as `thought` parts, text,
 *   then the tool calls as `functionCall` parts (args parsed from `arguments_json`, `{}` when that
 *   is empty, invalid or not an object; the id when there is one). Thought signatures (on text,
 *   reasoning and calls) and reasoning go back only when the message's `model` names this provider
 *   (`provider`); otherwise signatures and reasoning are dropped and the text and calls kept;
 * - tool returns as a `user` turn of `functionResponse` parts, named after the call they answer
 *   (`{output}` on success, `{error}` otherwise, the text parts joined); images of a return follow
 *   its `functionResponse` as sibling `inlineData` parts, since a function response holds no image;
 * - consecutive turns of one role merged into one, as Gemini requires alternation;
 * - APPROVAL messages are skipped (the agent loop turns approvals into tool messages); empty text
 *   parts and turns left empty are dropped.
 */
export function convertToGeminiContents(messages: readonly Message[], system?: string, provider = "google"): GeminiConversation {
  const systemTexts: string[] = system !== undefined && system !== "" ? [system] : [];
  const contents: Content[] = [];
  // Gemini names a function response after its call; a tool return knows only the call id.
  const callNames = new Map<string, string>();
  const push = (role: "user" | "model", parts: Part[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts!.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of messages) {
    switch (message.role) {
      case MessageRole.MESSAGE_ROLE_SYSTEM: {
        const text = textOf(message.content);
        if (text !== "") systemTexts.push(text);
        break;
      }
      case MessageRole.MESSAGE_ROLE_USER:
        push("user", message.content.flatMap(userPart));
        break;
      case MessageRole.MESSAGE_ROLE_ASSISTANT:
        for (const call of message.toolCalls) callNames.set(call.id, call.name);
        push("model", modelParts(message, provider));
        break;
      case MessageRole.MESSAGE_ROLE_TOOL:
        push("user", toolResponseParts(message, callNames));
        break;
      default:
        // APPROVAL and UNSPECIFIED carry nothing the model should see.
        break;
    }
  }
  const systemInstruction = systemTexts.length === 0 ? undefined : { parts: [{ text: systemTexts.join("\n\n") }] };
  return { systemInstruction, contents };
}

function userPart(part: ContentPart): Part[] {
  const p = part.part;
  if (p?.$case === "text") return p.value.text === "" ? [] : [{ text: p.value.text }];
  if (p?.$case === "image") {
    const image = imagePart(p.value);
    return image === undefined ? [] : [image];
  }
  // Reasoning parts never appear in user messages; nothing to send if they do.
  return [];
}

function imagePart(image: ImageContent): Part | undefined {
  const source = image.source;
  if (source?.$case === "base64") {
    return { inlineData: { mimeType: source.value.mediaType, data: Buffer.from(source.value.data).toString("base64") } };
  }
  if (source?.$case === "url") return { fileData: { fileUri: source.value } };
  return undefined;
}

function modelParts(message: Message, provider: string): Part[] {
  const producer = producerOf(message);
  // Thought signatures are only valid for the provider that produced them, so a message that
  // does not name its producer keeps none.
  const ours = producer === provider;
  const signed = (signature: string | undefined) => (ours && signature !== undefined && signature !== "" ? { thoughtSignature: signature } : {});
  const parts: Part[] = [];
  for (const { part } of message.content) {
    switch (part?.$case) {
      case "text": {
        const signature = signed(part.value.signature);
        // A signature may come on an empty text part; it goes back the way it came.
        if (part.value.text !== "" || signature.thoughtSignature !== undefined) parts.push({ text: part.value.text, ...signature });
        break;
      }
      case "reasoning":
        if (ours && part.value.isNative) parts.push({ text: part.value.text, thought: true, ...signed(part.value.signature) });
        break;
      default:
        // Images, redacted, omitted and summarized reasoning: nothing Gemini takes back.
        break;
    }
  }
  for (const call of message.toolCalls) parts.push(functionCallPart(call, signed(call.signature)));
  return parts;
}

function functionCallPart(call: ToolCall, signature: { thoughtSignature?: string }): Part {
  const id = call.id === "" ? {} : { id: call.id };
  return { functionCall: { ...id, name: call.name, args: argumentsObjectOf(call.argumentsJson) }, ...signature };
}

function toolResponseParts(message: Message, callNames: ReadonlyMap<string, string>): Part[] {
  if (message.toolReturns.length > 0) {
    return message.toolReturns.flatMap((ret) =>
      functionResponse(ret.toolCallId, ret.parts, ret.status === ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, callNames),
    );
  }
  // A tool message without returns answers the one call it names.
  if (message.toolCallId === undefined) return [];
  return functionResponse(message.toolCallId, message.content, true, callNames);
}

/** A `functionResponse` part, then the return's images as sibling `inlineData` parts. */
function functionResponse(callId: string, parts: readonly ContentPart[], success: boolean, callNames: ReadonlyMap<string, string>): Part[] {
  const text = textOf(parts);
  const id = callId === "" ? {} : { id: callId };
  // Without the call in the conversation, its id is the best name left.
  const name = callNames.get(callId) ?? callId;
  const response: Part = { functionResponse: { ...id, name, response: success ? { output: text } : { error: text } } };
  const images = parts.flatMap(({ part }) => {
    const image = part?.$case === "image" ? imagePart(part.value) : undefined;
    return image === undefined ? [] : [image];
  });
  return [response, ...images];
}
