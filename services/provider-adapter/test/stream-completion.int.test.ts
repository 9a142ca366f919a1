import { randomBytes } from "node:crypto";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { callUnary, Status } from "@conduit/grpc-kit";
import { FinishReason, Message, MessageRole, ScriptedErrorClass, ScriptedModelSettings } from "@conduit/proto/agent/v1";
import { ModelCapability, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { useAdapterAlone } from "./support/adapter-service.js";
import { textAndImage, userMessage } from "./support/requests.js";

const INTERNAL_KEY = randomBytes(24).toString("hex");
const auth = new Metadata();
auth.set("authorization", `Bearer ${INTERNAL_KEY}`);

// Quick retries; retry-after beyond a second is not retried (the RetryInfo test relies on it).
const { client, collect } = useAdapterAlone({
  CONDUIT_INTERNAL_KEY: INTERNAL_KEY,
  CONDUIT_RETRY_BASE_MS: "10",
  CONDUIT_RETRY_MAX_DELAY_MS: "1000",
});

/** ts-proto's partial shape (its own DeepPartial is not exported), so scripts are plain literals. */
type DeepPartial<T> = T extends Date | Uint8Array
  ? T
  : T extends (infer U)[]
    ? DeepPartial<U>[]
    : T extends { $case: string }
      ? { [K in keyof T]?: DeepPartial<T[K]> } & { $case: T["$case"] }
      : T extends object
        ? { [K in keyof T]?: DeepPartial<T[K]> }
        : T;
type ScriptInput = DeepPartial<ScriptedModelSettings>;

async function complete(request: { model?: string; messages?: Message[]; scripted?: ScriptInput }) {
  const req = StreamCompletionRequest.fromPartial({
    model: request.model ?? "conduit/scripted",
    messages: request.messages ?? [userMessage("hi")],
  });
  if (request.scripted) req.scripted = ScriptedModelSettings.fromPartial(request.scripted as ScriptedModelSettings);
  const { events, error } = await collect(req, { metadata: auth });
  return { events: events.map((e) => e.event!), error };
}

describe("ListModels", () => {
  it("lists conduit/scripted as the built-in default model", async () => {
    const { models } = await callUnary(client.listModels.bind(client), {}, { metadata: auth });
    expect(models).toEqual([
      expect.objectContaining({
        handle: "conduit/scripted",
        provider: "conduit",
        isDefault: true,
        isBuiltin: true,
        capabilities: expect.arrayContaining([ModelCapability.MODEL_CAPABILITY_TOOLS]),
      }),
    ]);
  });

  it("requires the internal credential when one is configured", async () => {
    await expect(callUnary(client.listModels.bind(client), {}, { metadata: new Metadata() })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      reason: "INVALID_API_KEY",
    });
  });
});

describe("StreamCompletion with conduit/scripted", () => {
  it("streams the scripted turn for this point of the conversation, then finish", async () => {
    const assistant = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT });
    const { events, error } = await complete({
      messages: [userMessage("hi"), assistant, userMessage("and?")],
      scripted: {
        turns: [
          { actions: [{ action: { $case: "toolCall", value: { name: "lookup", argumentChunks: ['{"q":', '"x"}'] } } }] },
          {
            actions: [
              { action: { $case: "reasoning", value: { chunks: ["hmm"], signature: "s1" } } },
              { action: { $case: "text", value: { chunks: ["Do", "ne"] } } },
              { action: { $case: "usage", value: { promptTokens: 12, completionTokens: 3, stepCount: 0 } } },
            ],
          },
        ],
      },
    });
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { $case: "reasoningDelta", value: { text: "hmm", signature: "s1" } },
      { $case: "textDelta", value: { text: "Do", signature: undefined } },
      { $case: "textDelta", value: { text: "ne", signature: undefined } },
      {
        $case: "usage",
        value: { promptTokens: 12, completionTokens: 3, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
      },
      { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "stop", model: "conduit/scripted" } },
    ]);
  });

  it("echoes the user without a script", async () => {
    const { events } = await complete({ messages: [userMessage("ping pong")] });
    const text = events.map((e) => (e.$case === "textDelta" ? e.value.text : "")).join("");
    expect(text).toBe("You said: ping pong");
    expect(events.at(-1)?.$case).toBe("finish");
  });

  it.each([
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT, Status.RESOURCE_EXHAUSTED, "RATE_LIMITED"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_TIMEOUT, Status.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_AUTHENTICATION, Status.FAILED_PRECONDITION, "PROVIDER_AUTH"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_BAD_REQUEST, Status.INVALID_ARGUMENT, "PROVIDER_BAD_REQUEST"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_CONTEXT_WINDOW_EXCEEDED, Status.INVALID_ARGUMENT, "CONTEXT_WINDOW_EXCEEDED"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE, Status.UNAVAILABLE, "PROVIDER_UNAVAILABLE"],
    [ScriptedErrorClass.SCRIPTED_ERROR_CLASS_MALFORMED_RESPONSE, Status.UNAVAILABLE, "MALFORMED_RESPONSE"],
  ])("maps scripted error class %i to its status and reason, saying whether a delta was sent", async (errorClass, code, reason) => {
    const before = await complete({
      scripted: { turns: [{ actions: [{ action: { $case: "error", value: { errorClass, message: "boom", retryAfterMs: 250 } } }] }] },
    });
    expect(before.events).toEqual([]);
    expect(before.error).toMatchObject({ code, reason, metadata: { provider: "conduit", model: "conduit/scripted", before_first_delta: "true" } });
    const after = await complete({
      scripted: {
        turns: [
          {
            actions: [
              { action: { $case: "text", value: { chunks: ["partial"] } } },
              { action: { $case: "error", value: { errorClass, message: "boom" } } },
            ],
          },
        ],
      },
    });
    expect(after.events).toHaveLength(1);
    expect(after.error).toMatchObject({ code, reason, metadata: { before_first_delta: "false" } });
  });

  it("sends the rate limit's retry delay as RetryInfo", async () => {
    const { error } = await complete({
      scripted: {
        turns: [
          {
            actions: [
              { action: { $case: "error", value: { errorClass: ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT, message: "slow", retryAfterMs: 1500 } } },
            ],
          },
        ],
      },
    });
    expect(error?.retryDelayMs).toBe(1500);
  });

  it("refuses an exhausted script, an unknown provider and an empty conversation", async () => {
    const exhausted = await complete({ scripted: { turns: [{ actions: [] }] }, messages: [userMessage("a"), Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT }), userMessage("b")] });
    expect(exhausted.error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "SCRIPT_EXHAUSTED" });
    const unknown = await complete({ model: "nope/model-1" });
    expect(unknown.error).toMatchObject({ code: Status.NOT_FOUND, reason: "MODEL_NOT_FOUND", metadata: { model: "nope/model-1" } });
    const empty = await complete({ messages: [] });
    expect(empty.error).toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "messages" } });
  });

  it.each([
    ["a file: URL", "file:///etc/passwd"],
    ["a loopback address", "http://127.0.0.1:9/cat.png"],
    ["a private address", "http://10.0.0.1/cat.png"],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/"],
  ])("refuses an image at %s with INVALID_ARGUMENT / IMAGE_URL_REFUSED", async (_what, url) => {
    const withImage = Message.fromPartial({
      role: MessageRole.MESSAGE_ROLE_USER,
      content: textAndImage("look", url),
    });
    const { events, error } = await complete({ messages: [withImage] });
    expect(events).toHaveLength(0);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "IMAGE_URL_REFUSED", metadata: { url, field: "messages[0].content[1].image.url" } });
  });
});
