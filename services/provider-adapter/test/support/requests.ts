import { Message, MessageRole, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";

export const userMessage = (text: string) =>
  Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text } } }] });

/** A request for `model` of one user message. */
export const userRequest = (model: string, text: string) => StreamCompletionRequest.fromPartial({ model, messages: [userMessage(text)] });

/** A text part, then an image part by URL. */
export function textAndImage(text: string, url: string): ContentPart[] {
  return [{ part: { $case: "text", value: { text } } }, { part: { $case: "image", value: { source: { $case: "url", value: url } } } }];
}
