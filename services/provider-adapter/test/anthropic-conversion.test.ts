import { describe, expect, it } from "vitest";
import { Message, MessageRole, ReasoningEffort, ToolReturnStatus, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { convertToAnthropicMessages, toolUseId } from "../src/providers/anthropic/convert-to-anthropic-messages.js";
import { argumentsObjectOf } from "../src/providers/message-content.js";
import { toAnthropicRequest, toAnthropicThinking, toAnthropicToolChoice } from "../src/providers/anthropic/anthropic-request.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

const text = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });
const imageUrl = (url: string): ContentPart => ({ part: { $case: "image", value: { source: { $case: "url", value: url } } } });
const imageBytes = (mediaType: string, data: Buffer): ContentPart => ({
  part: { $case: "image", value: { source: { $case: "base64", value: { mediaType, data } } } },
});
const reasoning = (t: string, signature?: string, isNative = true): ContentPart => ({
  part: { $case: "reasoning", value: { text: t, signature, isNative } },
});
const redacted = (data: string): ContentPart => ({ part: { $case: "redactedReasoning", value: { data } } });
const user = (...content: ContentPart[]) => Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content });

describe("convertToAnthropicMessages", () => {
  it("keeps the system prompt apart, appends SYSTEM messages to it, and sends user text as blocks", () => {
    const messages = [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_SYSTEM, content: [text("Be brief.")] }), user(text("Hi"))];
    expect(convertToAnthropicMessages(messages, "You are Conduit.")).toEqual({
      system: "You are Conduit.\n\nBe brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    });
    expect(convertToAnthropicMessages([user(text("Hi"))]).system).toBeUndefined();
  });

  it("sends user images as image blocks: a url source, or a base64 source from inline bytes", () => {
    const { messages } = convertToAnthropicMessages([user(text("What is this?"), imageUrl("https://example.com/cat.png"), imageBytes("image/png", PNG))]);
    expect(messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG.toString("base64") } },
        ],
      },
    ]);
  });

  it("passes signed native thinking and redacted thinking back unchanged, drops other reasoning, then text and tool_use", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "anthropic/claude-sonnet-5-5",
      content: [
        reasoning("The user wants the weather.", "sig=="),
        redacted("opaque"),
        reasoning("no signature"),
        reasoning("inner thoughts", "sig2", false),
        { part: { $case: "omittedReasoning", value: {} } } satisfies ContentPart,
        { part: { $case: "summarizedReasoning", value: { id: "rs_1", summaries: ["s"], encryptedContent: "enc" } } } satisfies ContentPart,
        text("Let me check."),
      ],
      toolCalls: [
        { id: "toolu_01", name: "weather", argumentsJson: '{"city":"Paris"}' },
        { id: "call.2:x", name: "time", argumentsJson: "" },
      ],
    });
    expect(convertToAnthropicMessages([assistant]).messages).toEqual([
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "The user wants the weather.", signature: "sig==" },
          { type: "redacted_thinking", data: "opaque" },
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2_x", name: "time", input: {} },
        ],
      },
    ]);
  });

  it("drops thinking and redacted thinking that another provider produced, keeps those of this provider's name", () => {
    const assistant = (model: string) =>
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT, model, content: [reasoning("r", "sig"), redacted("d"), text("A")] });
    expect(convertToAnthropicMessages([assistant("openai/gpt-4.1")]).messages).toEqual([{ role: "assistant", content: [{ type: "text", text: "A" }] }]);
    expect(convertToAnthropicMessages([assistant("work/claude-sonnet-5-5")], undefined, "work").messages[0]?.content).toHaveLength(3);
  });

  it("sends tool returns as a user turn of tool_result blocks with text and images, is_error on failure, ids sanitised", () => {
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [
        { toolCallId: "call.1", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [text("Here is the chart."), imageBytes("image/png", PNG)] },
        { toolCallId: "call_2", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR, parts: [text("Error: not found")] },
        { toolCallId: "call_3", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [] },
      ],
    });
    expect(convertToAnthropicMessages([tool]).messages).toEqual([
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "call_1",
            content: [
              { type: "text", text: "Here is the chart." },
              { type: "image", source: { type: "base64", media_type: "image/png", data: PNG.toString("base64") } },
            ],
          },
          { type: "tool_result", tool_use_id: "call_2", content: [{ type: "text", text: "Error: not found" }], is_error: true },
          { type: "tool_result", tool_use_id: "call_3" },
        ],
      },
    ]);
  });

  it("answers the one call a tool message without returns names", () => {
    const tool = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_TOOL, toolCallId: "toolu_9", content: [text("42")] });
    expect(convertToAnthropicMessages([tool]).messages).toEqual([
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_9", content: [{ type: "text", text: "42" }] }] },
    ]);
  });

  it("merges consecutive turns of one role, and skips approvals, empty text and turns left empty", () => {
    const messages = [
      user(text("First")),
      user(text("Second")),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT, content: [text("")] }),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT, content: [text("Calling.")], toolCalls: [{ id: "t1", name: "f", argumentsJson: "{}" }] }),
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_TOOL,
        toolReturns: [{ toolCallId: "t1", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [text("ok")] }],
      }),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_APPROVAL, approvals: [{ approval: { $case: "decision", value: { toolCallId: "t1", approve: true } } }] }),
      user(text("Thanks")),
    ];
    expect(convertToAnthropicMessages(messages).messages).toEqual([
      { role: "user", content: [{ type: "text", text: "First" }, { type: "text", text: "Second" }] },
      { role: "assistant", content: [{ type: "text", text: "Calling." }, { type: "tool_use", id: "t1", name: "f", input: {} }] },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }] }, { type: "text", text: "Thanks" }],
      },
    ]);
  });

  it("sanitises tool-call ids and parses tool input, `{}` when empty, invalid or not an object", () => {
    expect(toolUseId("toolu_01-AbC")).toBe("toolu_01-AbC");
    expect(toolUseId("call:1/2.3 é")).toBe("call_1_2_3__");
    expect(toolUseId("")).toBe("call");
    expect(toolUseId(`toolu_${"x".repeat(70)}`)).toMatch(/^toolu_x+_[a-zA-Z0-9]{12}$/);
    expect(toolUseId(`toolu_${"x".repeat(70)}`)).toHaveLength(64);
    expect(argumentsObjectOf('{"a":[1]}')).toEqual({ a: [1] });
    expect(argumentsObjectOf("")).toEqual({});
    expect(argumentsObjectOf("{not json")).toEqual({});
    expect(argumentsObjectOf("[1,2]")).toEqual({});
    expect(argumentsObjectOf("null")).toEqual({});
  });
});

describe("toAnthropicRequest", () => {
  const base = { model: "anthropic/claude-sonnet-5-5", messages: [user(text("Hi"))] };

  it("sends the model part, the messages, the system prompt, and max_tokens (default 4096)", () => {
    expect(toAnthropicRequest(StreamCompletionRequest.fromPartial({ ...base, system: "Be brief." }), "claude-sonnet-5-5")).toEqual({
      model: "claude-sonnet-5-5",
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      system: "Be brief.",
      max_tokens: 4096,
      stream: true,
    });
    expect(toAnthropicRequest(StreamCompletionRequest.fromPartial({ ...base, maxTokens: 100, temperature: 0.2 }), "m")).toMatchObject({
      max_tokens: 100,
      temperature: 0.2,
    });
  });

  it("sends tools with their input_schema, the tool choice and disable_parallel_tool_use", () => {
    const request = StreamCompletionRequest.fromPartial({
      ...base,
      tools: [
        { name: "weather", description: "The weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        { name: "noop", description: "" },
      ],
      toolChoice: { choice: { $case: "required", value: {} } },
      parallelToolCalls: false,
    });
    const body = toAnthropicRequest(request, "m");
    expect(body.tools).toEqual([
      { name: "weather", description: "The weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      { name: "noop", input_schema: { type: "object", properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    // Without tools, parallel_tool_calls says nothing.
    expect(toAnthropicRequest(StreamCompletionRequest.fromPartial({ ...base, parallelToolCalls: false }), "m").tool_choice).toBeUndefined();
  });

  it("maps every tool choice", () => {
    expect(toAnthropicToolChoice({ choice: { $case: "auto", value: {} } }, undefined)).toEqual({ type: "auto" });
    expect(toAnthropicToolChoice({ choice: { $case: "none", value: {} } }, false)).toEqual({ type: "none" });
    expect(toAnthropicToolChoice({ choice: { $case: "required", value: {} } }, true)).toEqual({ type: "any" });
    expect(toAnthropicToolChoice({ choice: { $case: "toolName", value: "weather" } }, false)).toEqual({
      type: "tool",
      name: "weather",
      disable_parallel_tool_use: true,
    });
    expect(toAnthropicToolChoice(undefined, false)).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(toAnthropicToolChoice(undefined, undefined)).toBeUndefined();
  });

  it("sends a reasoning budget as thinking, with max_tokens above it when unset", () => {
    const budget = (n: number) => StreamCompletionRequest.fromPartial({ ...base, reasoning: { setting: { $case: "budgetTokens", value: n } } });
    expect(toAnthropicRequest(budget(8000), "m")).toMatchObject({ thinking: { type: "enabled", budget_tokens: 8000 }, max_tokens: 12096 });
    expect(toAnthropicRequest(StreamCompletionRequest.fromPartial({ ...budget(8000), maxTokens: 20000 }), "m").max_tokens).toBe(20000);
    expect(toAnthropicThinking(budget(10).reasoning)).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(toAnthropicThinking(budget(0).reasoning)).toEqual({ type: "disabled" });
    expect(toAnthropicThinking(undefined)).toBeUndefined();
  });

  it("maps an effort to a thinking budget", () => {
    const effort = (value: ReasoningEffort) => toAnthropicThinking({ setting: { $case: "effort", value } });
    expect(effort(ReasoningEffort.REASONING_EFFORT_NONE)).toEqual({ type: "disabled" });
    expect(effort(ReasoningEffort.REASONING_EFFORT_MINIMAL)).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(effort(ReasoningEffort.REASONING_EFFORT_LOW)).toEqual({ type: "enabled", budget_tokens: 4096 });
    expect(effort(ReasoningEffort.REASONING_EFFORT_MEDIUM)).toEqual({ type: "enabled", budget_tokens: 16384 });
    expect(effort(ReasoningEffort.REASONING_EFFORT_HIGH)).toEqual({ type: "enabled", budget_tokens: 32768 });
    expect(effort(ReasoningEffort.REASONING_EFFORT_UNSPECIFIED)).toBeUndefined();
  });

  it("merges provider_settings last but keeps streaming", () => {
    const request = StreamCompletionRequest.fromPartial({ ...base, maxTokens: 100, providerSettings: { max_tokens: 50, top_k: 5, stream: false } });
    expect(toAnthropicRequest(request, "m")).toMatchObject({ max_tokens: 50, top_k: 5, stream: true });
  });
});
