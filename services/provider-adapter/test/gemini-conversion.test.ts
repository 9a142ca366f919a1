import { describe, expect, it } from "vitest";
import { Message, MessageRole, ReasoningEffort, ToolReturnStatus, type ContentPart } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { ProviderError } from "../src/core/provider-error.js";
import { convertToGeminiContents } from "../src/providers/gemini/convert-to-gemini-contents.js";
import { argumentsObjectOf } from "../src/providers/message-content.js";
import {
  toGeminiRequest,
  toGeminiResponseFormat,
  toGeminiThinkingConfig,
  toGeminiToolConfig,
} from "../src/providers/gemini/gemini-request.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

const text = (t: string, signature?: string): ContentPart => ({ part: { $case: "text", value: { text: t, signature } } });
const imageUrl = (url: string): ContentPart => ({ part: { $case: "image", value: { source: { $case: "url", value: url } } } });
const imageBytes = (mediaType: string, data: Buffer): ContentPart => ({
  part: { $case: "image", value: { source: { $case: "base64", value: { mediaType, data } } } },
});
const reasoning = (t: string, signature?: string, isNative = true): ContentPart => ({
  part: { $case: "reasoning", value: { text: t, signature, isNative } },
});
const user = (...content: ContentPart[]) => Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content });

describe("convertToGeminiContents", () => {
  it("puts the system prompt and SYSTEM messages in systemInstruction, and sends user text as parts", () => {
    const messages = [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_SYSTEM, content: [text("Be brief.")] }), user(text("Hi"))];
    expect(convertToGeminiContents(messages, "You are Conduit.")).toEqual({
      systemInstruction: { parts: [{ text: "You are Conduit.\n\nBe brief." }] },
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
    });
    expect(convertToGeminiContents([user(text("Hi"))]).systemInstruction).toBeUndefined();
  });

  it("sends user images as inlineData (base64 with its mime type) or, for a URL, fileData", () => {
    const { contents } = convertToGeminiContents([user(text("What is this?"), imageBytes("image/png", PNG), imageUrl("https://example.com/cat.png"))]);
    expect(contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "What is this?" },
          { inlineData: { mimeType: "image/png", data: PNG.toString("base64") } },
          { fileData: { fileUri: "https://example.com/cat.png" } },
        ],
      },
    ]);
  });

  it("sends a Gemini message back as a model turn: thought parts, signed text, then signed function calls with parsed args", () => {
    const assistant = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      model: "google/gemini-3-pro-preview",
      content: [reasoning("Looking up the weather.", "sigR"), reasoning("inner thoughts", undefined, false), text("Let me check.", "sigT"), text("", "sigEnd")],
      toolCalls: [
        { id: "call_1", name: "weather", argumentsJson: '{"city":"Paris"}', signature: "sigC" },
        { id: "", name: "time", argumentsJson: "not json" },
      ],
    });
    expect(convertToGeminiContents([assistant]).contents).toEqual([
      {
        role: "model",
        parts: [
          { text: "Looking up the weather.", thought: true, thoughtSignature: "sigR" },
          { text: "Let me check.", thoughtSignature: "sigT" },
          { text: "", thoughtSignature: "sigEnd" },
          { functionCall: { id: "call_1", name: "weather", args: { city: "Paris" } }, thoughtSignature: "sigC" },
          { functionCall: { name: "time", args: {} } },
        ],
      },
    ]);
  });

  it("drops signatures and reasoning of messages another provider produced (or that name none), keeps text and calls", () => {
    const assistant = (model: string | undefined) =>
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_ASSISTANT,
        model,
        content: [reasoning("r", "sigR"), text("A", "sigT"), text("", "sigEnd")],
        toolCalls: [{ id: "c1", name: "f", argumentsJson: "{}", signature: "sigC" }],
      });
    const stripped = [{ role: "model", parts: [{ text: "A" }, { functionCall: { id: "c1", name: "f", args: {} } }] }];
    expect(convertToGeminiContents([assistant("anthropic/claude-sonnet-5-5")]).contents).toEqual(stripped);
    expect(convertToGeminiContents([assistant(undefined)]).contents).toEqual(stripped);
    // A provider registered under another name keeps what its own messages carry.
    const own = convertToGeminiContents([assistant("work/gemini-3-pro-preview")], undefined, "work").contents[0]!.parts!;
    expect(own.map((p) => p.thoughtSignature)).toEqual(["sigR", "sigT", "sigEnd", "sigC"]);
  });

  it("sends tool returns as functionResponse parts named after their call, with images as sibling inlineData parts after each", () => {
    const messages = [
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_ASSISTANT,
        model: "google/gemini-3-pro-preview",
        toolCalls: [
          { id: "c1", name: "chart", argumentsJson: "{}" },
          { id: "c2", name: "lookup", argumentsJson: "{}" },
        ],
      }),
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_TOOL,
        toolReturns: [
          {
            toolCallId: "c1",
            status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS,
            parts: [text("Here is the chart."), imageBytes("image/png", PNG), imageBytes("image/jpeg", JPEG)],
          },
          { toolCallId: "c2", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR, parts: [text("Error: not found")] },
        ],
      }),
    ];
    expect(convertToGeminiContents(messages).contents[1]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { id: "c1", name: "chart", response: { output: "Here is the chart." } } },
        { inlineData: { mimeType: "image/png", data: PNG.toString("base64") } },
        { inlineData: { mimeType: "image/jpeg", data: JPEG.toString("base64") } },
        { functionResponse: { id: "c2", name: "lookup", response: { error: "Error: not found" } } },
      ],
    });
  });

  it("answers the one call a tool message without returns names, named by its id when the call is not in the conversation", () => {
    const tool = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_TOOL, toolCallId: "c9", content: [text("42")] });
    expect(convertToGeminiContents([tool]).contents).toEqual([
      { role: "user", parts: [{ functionResponse: { id: "c9", name: "c9", response: { output: "42" } } }] },
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
    expect(convertToGeminiContents(messages).contents).toEqual([
      { role: "user", parts: [{ text: "First" }, { text: "Second" }] },
      { role: "model", parts: [{ text: "Calling." }, { functionCall: { id: "t1", name: "f", args: {} } }] },
      { role: "user", parts: [{ functionResponse: { id: "t1", name: "f", response: { output: "ok" } } }, { text: "Thanks" }] },
    ]);
  });

  it("parses function args, `{}` when empty, invalid or not an object", () => {
    expect(argumentsObjectOf('{"a":[1]}')).toEqual({ a: [1] });
    expect(argumentsObjectOf("")).toEqual({});
    expect(argumentsObjectOf("{not json")).toEqual({});
    expect(argumentsObjectOf("[1,2]")).toEqual({});
    expect(argumentsObjectOf("null")).toEqual({});
  });
});

describe("toGeminiRequest", () => {
  const base = { model: "google/gemini-2.5-flash", messages: [user(text("Hi"))] };

  it("sends the model part and the contents, and leaves unset settings out", () => {
    expect(toGeminiRequest(StreamCompletionRequest.fromPartial(base), "gemini-2.5-flash")).toEqual({
      model: "gemini-2.5-flash",
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      config: {},
    });
  });

  it("sends the system instruction, tools as functionDeclarations with parametersJsonSchema, limits and temperature", () => {
    const request = StreamCompletionRequest.fromPartial({
      ...base,
      system: "Be brief.",
      tools: [
        { name: "weather", description: "The weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        { name: "noop", description: "" },
      ],
      maxTokens: 100,
      temperature: 0.2,
    });
    expect(toGeminiRequest(request, "m").config).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      tools: [
        {
          functionDeclarations: [
            { name: "weather", description: "The weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } },
            { name: "noop", parametersJsonSchema: { type: "object", properties: {} } },
          ],
        },
      ],
      maxOutputTokens: 100,
      temperature: 0.2,
    });
  });

  it("passes provider settings as the body's extra fields, merged by the SDK", () => {
    const request = StreamCompletionRequest.fromPartial({ ...base, providerSettings: { generationConfig: { topK: 3 } } });
    expect(toGeminiRequest(request, "m").config?.httpOptions).toEqual({ extraBody: { generationConfig: { topK: 3 } } });
  });

  it("refuses a conversation with nothing to send as a bad request", () => {
    const onlySystem = StreamCompletionRequest.fromPartial({ model: "google/m", system: "Be brief." });
    expect(() => toGeminiRequest(onlySystem, "m")).toThrow(ProviderError);
    expect(() => toGeminiRequest(onlySystem, "m")).toThrow(expect.objectContaining({ kind: "bad_request" }));
  });

  it("maps every tool choice to a function calling mode", () => {
    expect(toGeminiToolConfig(undefined)).toBeUndefined();
    expect(toGeminiToolConfig({ choice: { $case: "auto", value: {} } })).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(toGeminiToolConfig({ choice: { $case: "none", value: {} } })).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(toGeminiToolConfig({ choice: { $case: "required", value: {} } })).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(toGeminiToolConfig({ choice: { $case: "toolName", value: "weather" } })).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] },
    });
  });

  it("asks for thoughts with a budget, from a budget or an effort; 0 and NONE turn thinking off", () => {
    expect(toGeminiThinkingConfig(undefined)).toBeUndefined();
    expect(toGeminiThinkingConfig({ setting: { $case: "budgetTokens", value: 3000 } })).toEqual({ includeThoughts: true, thinkingBudget: 3000 });
    expect(toGeminiThinkingConfig({ setting: { $case: "budgetTokens", value: 0 } })).toEqual({ thinkingBudget: 0 });
    expect(toGeminiThinkingConfig({ setting: { $case: "budgetTokens", value: -5 } })).toEqual({ thinkingBudget: 0 });
    expect(toGeminiThinkingConfig({ setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_NONE } })).toEqual({ thinkingBudget: 0 });
    expect(toGeminiThinkingConfig({ setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_MINIMAL } })).toEqual({
      includeThoughts: true,
      thinkingBudget: 512,
    });
    expect(toGeminiThinkingConfig({ setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_HIGH } })).toEqual({
      includeThoughts: true,
      thinkingBudget: 24576,
    });
    expect(toGeminiThinkingConfig({ setting: { $case: "effort", value: ReasoningEffort.REASONING_EFFORT_UNSPECIFIED } })).toBeUndefined();
  });

  it("maps the response format to a mime type and, for a schema, responseJsonSchema", () => {
    expect(toGeminiResponseFormat(undefined)).toEqual({});
    expect(toGeminiResponseFormat({ format: { $case: "text", value: {} } })).toEqual({ responseMimeType: "text/plain" });
    expect(toGeminiResponseFormat({ format: { $case: "jsonObject", value: {} } })).toEqual({ responseMimeType: "application/json" });
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    expect(toGeminiResponseFormat({ format: { $case: "jsonSchema", value: { name: "answer", schema } } })).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
    const request = StreamCompletionRequest.fromPartial({ ...base, responseFormat: { format: { $case: "jsonSchema", value: { name: "answer", schema } } } });
    expect(toGeminiRequest(request, "m").config).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });
});
