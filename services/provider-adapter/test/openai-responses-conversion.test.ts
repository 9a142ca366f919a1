import { describe, expect, it } from "vitest";
import { FinishReason, Message, MessageRole, ReasoningEffort, ToolReturnStatus, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest, type SummarizedReasoning } from "@conduit/proto/provider/v1";
import { fixtureChunks } from "@conduit/testing";
import { convertToOpenAIResponsesInput, sanitizeCallId } from "../src/providers/openai-responses/convert-to-openai-responses-input.js";
import { mapOpenAIResponsesFinishReason } from "../src/providers/openai-responses/map-openai-responses-finish-reason.js";
import {
  mapOpenAIResponsesEvent,
  newOpenAIResponsesStreamState,
  parseOpenAIResponsesEvent,
} from "../src/providers/openai-responses/openai-responses-events.js";
import { toOpenAIResponsesRequest } from "../src/providers/openai-responses/openai-responses-request.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const PNG_URL = `data:image/png;base64,${PNG.toString("base64")}`;

const text = (t: string): ContentPart => ({ part: { $case: "text", value: { text: t } } });
const imageUrl = (url: string): ContentPart => ({ part: { $case: "image", value: { source: { $case: "url", value: url } } } });
const imageBytes = (mediaType: string, data: Buffer): ContentPart => ({
  part: { $case: "image", value: { source: { $case: "base64", value: { mediaType, data } } } },
});
const summarized = (value: SummarizedReasoning): ContentPart => ({ part: { $case: "summarizedReasoning", value } });

const convert = (messages: Message[], system?: string, provider = "openai-responses") =>
  convertToOpenAIResponsesInput(messages, system, provider);

describe("convertToOpenAIResponsesInput", () => {
  it("sends the system prompt as instructions, system messages in place and user text as input_text", () => {
    const messages = [
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_SYSTEM, content: [text("Be brief.")] }),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, name: "ana", content: [text("Hi")] }),
    ];
    expect(convert(messages, "You are Conduit.")).toEqual({
      instructions: "You are Conduit.",
      input: [
        { type: "message", role: "system", content: "Be brief." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] },
      ],
    });
    expect(convert(messages, "").instructions).toBeUndefined();
  });

  it("sends user images as input_image: the URL, or a data: URL from inline bytes", () => {
    const user = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_USER,
      content: [text("What is this?"), imageUrl("https://example.com/cat.png"), imageBytes("image/png", PNG)],
    });
    expect(convert([user]).input).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image_url: "https://example.com/cat.png", detail: "auto" },
          { type: "input_image", image_url: PNG_URL, detail: "auto" },
        ],
      },
    ]);
  });

  it("sends assistant text as a message, reasoning of this provider as a reasoning item, then function_call items", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "openai-responses/gpt-5.1",
      content: [
        { part: { $case: "reasoning", value: { text: "streamed summary text", isNative: true } } },
        summarized({ id: "rs_1", summaries: ["First.", "Second."], encryptedContent: "gAAA-enc" }),
        text("Let me check."),
      ],
      toolCalls: [
        { id: "call_1", name: "weather", argumentsJson: '{"city":"Paris"}' },
        { id: "call_2", name: "time", argumentsJson: "" },
      ],
    });
    expect(convert([assistant]).input).toEqual([
      {
        type: "reasoning",
        id: "rs_1",
        summary: [
          { type: "summary_text", text: "First." },
          { type: "summary_text", text: "Second." },
        ],
        encrypted_content: "gAAA-enc",
      },
      { type: "message", role: "assistant", content: "Let me check." },
      { type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
      { type: "function_call", call_id: "call_2", name: "time", arguments: "{}" },
    ]);
  });

  it("drops reasoning items produced by another provider, or by no named provider, and every other kind of reasoning", () => {
    const part = summarized({ id: "rs_1", summaries: ["s"], encryptedContent: "enc" });
    const from = (model: string | undefined) =>
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_ASSISTANT,
        ...(model === undefined ? {} : { model }),
        content: [
          part,
          { part: { $case: "reasoning", value: { text: "thinking", signature: "sig", isNative: true } } },
          { part: { $case: "redactedReasoning", value: { data: "opaque" } } },
          text("ok"),
        ],
      });
    const assistantOnly = [{ type: "message", role: "assistant", content: "ok" }];
    expect(convert([from("azure/my-deployment")]).input).toEqual(assistantOnly);
    expect(convert([from("openai/gpt-4.1")]).input).toEqual(assistantOnly);
    expect(convert([from(undefined)]).input).toEqual(assistantOnly);
    // Azure's own reasoning goes back to Azure.
    expect(convert([from("azure/my-deployment")], undefined, "azure").input[0]).toMatchObject({ type: "reasoning", id: "rs_1" });
  });

  it("drops a reasoning item without encrypted content, which a stateless request cannot resolve", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "openai-responses/o4-mini",
      content: [summarized({ id: "rs_2", summaries: ["s"] }), text("Done.")],
    });
    expect(convert([assistant]).input).toEqual([{ type: "message", role: "assistant", content: "Done." }]);
  });

  it("drops reasoning that led to no output, which the API refuses alone", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "openai-responses/o4-mini",
      content: [summarized({ id: "rs_3", summaries: ["s"], encryptedContent: "enc" })],
    });
    expect(convert([assistant]).input).toEqual([]);
  });

  it("sends tool returns as function_call_output: text as a string, with an image as input_text and input_image parts", () => {
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [
        {
          toolCallId: "call_1",
          status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS,
          parts: [text("Here is the chart:"), imageBytes("image/png", PNG), imageUrl("https://example.com/b.png")],
        },
        { toolCallId: "call_2", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR, parts: [text("boom"), text("again")] },
      ],
    });
    expect(convert([tool]).input).toEqual([
      {
        type: "function_call_output",
        call_id: "call_1",
        output: [
          { type: "input_text", text: "Here is the chart:" },
          { type: "input_image", image_url: PNG_URL, detail: "auto" },
          { type: "input_image", image_url: "https://example.com/b.png", detail: "auto" },
        ],
      },
      { type: "function_call_output", call_id: "call_2", output: "boom\nagain" },
    ]);
  });

  it("answers the one call a tool message names when it has no returns, and skips approval messages", () => {
    const tool = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_TOOL, toolCallId: "c9", content: [text("42")] });
    const approval = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_APPROVAL });
    expect(convert([tool, approval]).input).toEqual([{ type: "function_call_output", call_id: "c9", output: "42" }]);
  });

  it("sanitises call ids the same way in function_call and function_call_output", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      toolCalls: [{ id: "toolu_01:weird.id", name: "f", argumentsJson: "{}" }],
    });
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [{ toolCallId: "toolu_01:weird.id", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [text("x")] }],
    });
    const [call, output] = convert([assistant, tool]).input;
    expect(call).toMatchObject({ type: "function_call", call_id: "toolu_01_weird_id" });
    expect(output).toMatchObject({ type: "function_call_output", call_id: "toolu_01_weird_id" });
  });

  it("keeps long call ids within 64 characters and distinct", () => {
    const a = sanitizeCallId(`${"x".repeat(80)}a`);
    const b = sanitizeCallId(`${"x".repeat(80)}b`);
    expect(a).toHaveLength(64);
    expect(a).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(sanitizeCallId("call_AB6AaRZ1FYZB2RwS6A5vbdqn")).toBe("call_AB6AaRZ1FYZB2RwS6A5vbdqn");
    expect(sanitizeCallId("")).toBe("call");
  });
});

describe("reasoning continuity", () => {
  // The first response of the recorded file: a reasoning item with encrypted content, then a call.
  const firstResponse = (() => {
    const lines = fixtureChunks("openai-responses", "openai-reasoning-encrypted-content.1.chunks.txt").map((l) => JSON.parse(l) as { type: string });
    return lines.slice(0, lines.findIndex((e) => e.type === "response.completed") + 1);
  })();

  function replayed(): { reasoning: SummarizedReasoning; recorded: { id: string; encrypted_content: string; summary: Array<{ text: string }> } } {
    const state = newOpenAIResponsesStreamState();
    const events = firstResponse.flatMap((raw) => mapOpenAIResponsesEvent(parseOpenAIResponsesEvent(raw), state, "openai-responses/gpt-5.1-codex-max"));
    const found = events.flatMap(({ event }) => (event?.$case === "summarizedReasoning" ? [event.value] : []));
    expect(found).toHaveLength(1);
    const done = firstResponse.find((e) => e.type === "response.output_item.done") as unknown as { item: never };
    return { reasoning: found[0]!, recorded: done.item };
  }

  it("sends the summarized_reasoning a recorded stream produced back as the same reasoning item on the next request", () => {
    const { reasoning, recorded } = replayed();
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "openai-responses/gpt-5.1-codex-max",
      content: [summarized(reasoning)],
      toolCalls: [{ id: "call_AB6AaRZ1FYZB2RwS6A5vbdqn", name: "calculator", argumentsJson: '{"a":12,"b":7,"op":"add"}' }],
    });
    const tool = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_TOOL,
      toolReturns: [{ toolCallId: "call_AB6AaRZ1FYZB2RwS6A5vbdqn", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [text("19")] }],
    });
    const request = StreamCompletionRequest.fromPartial({ model: "openai-responses/gpt-5.1-codex-max", messages: [assistant, tool] });
    const body = toOpenAIResponsesRequest(request, "gpt-5.1-codex-max", "openai-responses");
    expect(body.input).toEqual([
      {
        type: "reasoning",
        id: recorded.id,
        summary: recorded.summary.map((s) => ({ type: "summary_text", text: s.text })),
        encrypted_content: recorded.encrypted_content,
      },
      { type: "function_call", call_id: "call_AB6AaRZ1FYZB2RwS6A5vbdqn", name: "calculator", arguments: '{"a":12,"b":7,"op":"add"}' },
      { type: "function_call_output", call_id: "call_AB6AaRZ1FYZB2RwS6A5vbdqn", output: "19" },
    ]);
    expect(recorded.encrypted_content.length).toBeGreaterThan(100);
  });

  it("drops that reasoning when the next request goes to another provider", () => {
    const { reasoning } = replayed();
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "openai-responses/gpt-5.1-codex-max",
      content: [summarized(reasoning), text("Done.")],
    });
    const request = StreamCompletionRequest.fromPartial({ model: "azure/gpt-5", messages: [assistant] });
    expect(toOpenAIResponsesRequest(request, "gpt-5", "azure").input).toEqual([{ type: "message", role: "assistant", content: "Done." }]);
  });
});

describe("toOpenAIResponsesRequest", () => {
  it("asks for encrypted reasoning only when the request asks for reasoning or the model reasons by default", () => {
    const body = (model: string, partial: Partial<StreamCompletionRequest> = {}) =>
      toOpenAIResponsesRequest(StreamCompletionRequest.fromPartial({ model: `openai-responses/${model}`, messages: [], ...partial }), model, "openai-responses");
    for (const model of ["gpt-5", "gpt-5.1-codex-max", "o3", "o4-mini"]) expect(body(model).include).toEqual(["reasoning.encrypted_content"]);
    for (const model of ["gpt-4.1", "gpt-4o", "gpt-5-chat-latest"]) expect(body(model)).not.toHaveProperty("include");
    const withEffort = { reasoning: { setting: { $case: "effort" as const, value: ReasoningEffort.REASONING_EFFORT_LOW } } };
    expect(body("my-finetune", withEffort).include).toEqual(["reasoning.encrypted_content"]);
  });

  it("is stateless: store false, encrypted reasoning included, streaming", () => {
    const request = StreamCompletionRequest.fromPartial({
      model: "openai-responses/gpt-5",
      system: "Be brief.",
      messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [text("hi")] })],
    });
    expect(toOpenAIResponsesRequest(request, "gpt-5", "openai-responses")).toEqual({
      model: "gpt-5",
      instructions: "Be brief.",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
      stream: true,
      store: false,
      include: ["reasoning.encrypted_content"],
    });
  });

  it("maps tools, tool choice, parallel calls, max tokens, temperature, reasoning effort and response format", () => {
    const request = StreamCompletionRequest.fromPartial({
      model: "openai-responses/gpt-5",
      messages: [],
      tools: [{ name: "weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      toolChoice: { choice: { $case: "toolName", value: "weather" } },
      parallelToolCalls: false,
      maxTokens: 256,
      temperature: 0.2,
      reasoning: { setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_HIGH } },
      responseFormat: { format: { $case: "jsonSchema", value: { name: "answer", schema: { type: "object" }, strict: true } } },
    });
    expect(toOpenAIResponsesRequest(request, "gpt-5", "openai-responses")).toEqual({
      model: "gpt-5",
      input: [],
      stream: true,
      store: false,
      include: ["reasoning.encrypted_content"],
      tools: [
        {
          type: "function",
          name: "weather",
          description: "Weather of a city",
          parameters: { type: "object", properties: { city: { type: "string" } } },
          strict: false,
        },
      ],
      tool_choice: { type: "function", name: "weather" },
      parallel_tool_calls: false,
      max_output_tokens: 256,
      temperature: 0.2,
      reasoning: { effort: "high", summary: "auto" },
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
    });
  });

  it("maps the other tool choices and formats, a budget to an effort, and asks no summaries when reasoning is off", () => {
    const base = { model: "openai-responses/gpt-5", messages: [] };
    const body = (partial: Partial<StreamCompletionRequest>) =>
      toOpenAIResponsesRequest(StreamCompletionRequest.fromPartial({ ...base, ...partial }), "gpt-5", "openai-responses");
    expect(body({ toolChoice: { choice: { $case: "required", value: {} } } }).tool_choice).toBe("required");
    expect(body({ toolChoice: { choice: { $case: "none", value: {} } } }).tool_choice).toBe("none");
    expect(body({ responseFormat: { format: { $case: "jsonObject", value: {} } } }).text).toEqual({ format: { type: "json_object" } });
    expect(body({ reasoning: { setting: { $case: "budgetTokens", value: 4000 } } }).reasoning).toEqual({ effort: "medium", summary: "auto" });
    expect(body({ reasoning: { setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_NONE } } }).reasoning).toEqual({ effort: "none" });
    // Refused by the API without tools.
    expect(body({ parallelToolCalls: true })).not.toHaveProperty("parallel_tool_calls");
  });

  it("merges provider settings in last, as given, but always streams", () => {
    const request = StreamCompletionRequest.fromPartial({
      model: "openai-responses/gpt-4.1",
      messages: [],
      providerSettings: { include: [], top_p: 0.9, stream: false, service_tier: "flex" },
    });
    expect(toOpenAIResponsesRequest(request, "gpt-4.1", "openai-responses")).toEqual({
      model: "gpt-4.1",
      input: [],
      stream: true,
      store: false,
      include: [],
      top_p: 0.9,
      service_tier: "flex",
    });
  });
});

describe("mapOpenAIResponsesFinishReason", () => {
  it.each([
    ["completed", false, FinishReason.FINISH_REASON_STOP],
    ["completed", true, FinishReason.FINISH_REASON_TOOL_CALLS],
    ["max_output_tokens", false, FinishReason.FINISH_REASON_LENGTH],
    ["content_filter", false, FinishReason.FINISH_REASON_CONTENT_FILTER],
    ["something_new", false, FinishReason.FINISH_REASON_OTHER],
  ])("%s (tool calls: %s) → %s", (raw, calledTools, reason) => {
    expect(mapOpenAIResponsesFinishReason(raw, calledTools)).toBe(reason);
  });
});
