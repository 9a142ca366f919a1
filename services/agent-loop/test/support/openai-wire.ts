/** OpenAI Chat Completions stream chunks, for tests that drive the chain through the openai SDK. */
const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1-mini" };

export const textChunk = (content: string) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] });

export const toolCallChunks = (calls: Array<{ id: string; name: string; args: object }>) => [
  ...calls.map((c, index) => ({
    ...base,
    choices: [{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }] }, finish_reason: null }],
  })),
  { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
];

export const stopChunk = () => ({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
