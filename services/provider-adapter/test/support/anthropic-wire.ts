// Anthropic Messages stream events as the provider tests send them (Bedrock and Vertex stream
// the same events).

export const messageStart = {
  type: "message_start",
  message: { id: "m", type: "message", role: "assistant", content: [], usage: { input_tokens: 1, output_tokens: 1 } },
};
export const textBlockStart = { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } };
export const textDelta = (text: string) => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });

/** A stream's events up to and including its first text delta. */
export const startWithText = (text: string) => [messageStart, textBlockStart, textDelta(text)];
