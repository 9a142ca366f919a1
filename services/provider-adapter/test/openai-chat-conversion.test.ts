import { describe, expect, it } from "vitest";
import { FinishReason, Message, MessageRole, ReasoningEffort, ToolReturnStatus, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { convertToOpenAIChatMessages } from "../src/providers/openai-chat/convert-to-openai-chat-messages.js";
import { mapOpenAIFinishReason } from "../src/providers/openai-chat/map-openai-finish-reason.js";
import { toOpenAIChatRequest } from "../src/providers/openai-chat/openai-chat-request.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

const text = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });
const imageUrl = (url: string): ContentPart => ({ part: { $case: "image", value: { source: { $case: "url", value: url } } } });
const imageBytes = (mediaType: string, data: Buffer): ContentPart => ({
  part: { $case: "image", value: { source: { $case: "base64", value: { mediaType, data } } } },
});
const reasoning = (t: string, signature?: string): ContentPart => ({ part: { $case: "reasoning", value: { text: t, signature, isNative: true } } });

describe("convertToOpenAIChatMessages", () => {
  it("sends the system prompt first, then system and user text", () => {
    const messages = [
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_SYSTEM, content: [text("Be brief.")] }),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, name: "ana", content: [text("Hi")] }),
    ];
    expect(convertToOpenAIChatMessages(messages, "You are Conduit.")).toEqual([
      { role: "system", content: "You are Conduit." },
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi", name: "ana" },
    ]);
  });

  it("sends user images as image_url parts: the URL, or a data: URL from inline bytes", () => {
    const user = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_USER,
      content: [
        text("What is this?"),
        imageUrl("https://example.com/cat.png"),
        imageBytes("image/png", PNG),
      ],
    });
    expect(convertToOpenAIChatMessages([user])).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG.toString("base64")}` } },
        ],
      },
    ]);
  });

  it("sends assistant text and tool calls, and drops every kind of reasoning", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "deepseek/deepseek-reasoner",
      content: [
        reasoning("The user wants the weather.", "sig"),
        { part: { $case: "redactedReasoning", value: { data: "opaque" } } } satisfies ContentPart,
        { part: { $case: "summarizedReasoning", value: { id: "rs_1", summaries: ["s"], encryptedContent: "enc" } } } satisfies ContentPart,
        text("Let me check."),
      ],
      toolCalls: [
        { id: "toolu_01:weird.id", name: "weather", argumentsJson: '{"city":"Paris"}' },
        { id: "call_2", name: "time", argumentsJson: "" },
      ],
    });
    expect(convertToOpenAIChatMessages([assistant])).toEqual([
      {
        role: "assistant",
        content: "Let me check.",
        tool_calls: [
          { id: "toolu_01_weird_id", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "time", arguments: "{}" } },
        ],
      },
    ]);
  });

  it("sanitises tool-call ids to what OpenAI takes, the same in the call and in its return", () => {
    const long = `toolu_${"x".repeat(60)}`;
    const otherLong = `toolu_${"x".repeat(59)}y`;
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      toolCalls: [
        { id: long, name: "f", argumentsJson: "{}" },
        { id: otherLong, name: "f", argumentsJson: "{}" },
      ],
    });
    const returns = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [
        { toolCallId: long, parts: [text("1")] },
        { toolCallId: otherLong, parts: [text("2")] },
      ],
    });
    const [call, ret1, ret2] = convertToOpenAIChatMessages([assistant, returns]) as Array<Record<string, any>>;
    const ids = call!.tool_calls.map((c: { id: string }) => c.id);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    // Distinct long ids stay distinct, and each return names its own call.
    expect(new Set(ids).size).toBe(2);
    expect([ret1!.tool_call_id, ret2!.tool_call_id]).toEqual(ids);
  });

  it("sends an assistant message of tool calls only with null content, and skips one of reasoning only", () => {
    const calls = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      toolCalls: [{ id: "c1", name: "f", argumentsJson: "{}" }],
    });
    const reasoningOnly = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      content: [reasoning("hmm")],
    });
    expect(convertToOpenAIChatMessages([calls, reasoningOnly])).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
    ]);
  });

  it("sends one tool message per tool return, an image in a return as a text placeholder", () => {
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [
        {
          toolCallId: "c1",
          status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS,
          parts: [
            text("Here is the chart:"),
            imageBytes("image/jpeg", PNG),
          ],
        },
        { toolCallId: "c2", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR, parts: [text("boom")] },
      ],
    });
    expect(convertToOpenAIChatMessages([tool])).toEqual([
      { role: "tool", tool_call_id: "c1", content: "Here is the chart:\n[image omitted: image/jpeg]" },
      { role: "tool", tool_call_id: "c2", content: "boom" },
    ]);
  });

  it("answers the one call a tool message names when it has no returns, and skips approval messages", () => {
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolCallId: "c9",
      content: [text("42")],
    });
    const approval = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_APPROVAL });
    expect(convertToOpenAIChatMessages([tool, approval])).toEqual([{ role: "tool", tool_call_id: "c9", content: "42" }]);
  });
});

describe("mapOpenAIFinishReason", () => {
  it.each([
    ["stop", FinishReason.FINISH_REASON_STOP],
    ["length", FinishReason.FINISH_REASON_LENGTH],
    ["tool_calls", FinishReason.FINISH_REASON_TOOL_CALLS],
    ["function_call", FinishReason.FINISH_REASON_TOOL_CALLS],
    ["content_filter", FinishReason.FINISH_REASON_CONTENT_FILTER],
    ["insufficient_system_resource", FinishReason.FINISH_REASON_OTHER],
    ["", FinishReason.FINISH_REASON_OTHER],
  ])("%j → %s", (raw, expected) => {
    expect(mapOpenAIFinishReason(raw)).toBe(expected);
  });
});

describe("toOpenAIChatRequest", () => {
  it("maps tools, tool choice, parallel calls, max tokens, temperature, reasoning and response format", () => {
    const request = StreamCompletionRequest.fromPartial({
      model: "openai/gpt-4.1-mini",
      messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [text("hi")] })],
      tools: [{ name: "weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      toolChoice: { choice: { $case: "toolName", value: "weather" } },
      parallelToolCalls: false,
      maxTokens: 256,
      temperature: 0.2,
      reasoning: { setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_LOW } },
      responseFormat: { format: { $case: "jsonSchema", value: { name: "answer", schema: { type: "object" }, strict: true } } },
    });
    expect(toOpenAIChatRequest(request, "gpt-4.1-mini")).toEqual({
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: "function",
          function: { name: "weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      tool_choice: { type: "function", function: { name: "weather" } },
      parallel_tool_calls: false,
      max_completion_tokens: 256,
      temperature: 0.2,
      reasoning_effort: "low",
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
    });
  });

  it("leaves unset settings out, and merges provider settings in as given", () => {
    const request = StreamCompletionRequest.fromPartial({
      model: "groq/llama",
      messages: [],
      parallelToolCalls: true,
      providerSettings: { seed: 7, top_p: 0.9 },
    });
    expect(toOpenAIChatRequest(request, "llama")).toEqual({
      model: "llama",
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
      top_p: 0.9,
    });
  });
});
