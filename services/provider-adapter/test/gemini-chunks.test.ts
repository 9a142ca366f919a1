import { describe, expect, it } from "vitest";
import { ApiError } from "@google/genai";
import { FinishReason } from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { ProviderError } from "../src/core/provider-error.js";
import { classifyGeminiError, googleErrorOf, retryDelayMsOf } from "../src/providers/gemini/classify-gemini-error.js";
import { finishGeminiStream, mapGeminiChunk, newGeminiStreamState, parseGeminiChunk } from "../src/providers/gemini/gemini-chunks.js";
import { mapGeminiFinishReason } from "../src/providers/gemini/map-gemini-finish-reason.js";

const MODEL = "google/gemini-3-pro-preview";

function run(chunks: unknown[]): CompletionEvent[] {
  let n = 0;
  const state = newGeminiStreamState(() => `generated_${++n}`);
  const out = chunks.flatMap((c) => mapGeminiChunk(parseGeminiChunk(c), state));
  return [...out, ...finishGeminiStream(state, MODEL)];
}

const chunk = (parts: object[], finishReason?: string, usageMetadata?: object) => ({
  candidates: [{ content: { role: "model", parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
  ...(usageMetadata ? { usageMetadata } : {}),
});

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("Gemini chunks → events", () => {
  it("maps text parts to text deltas, skipping empty ones, and ends with one usage then one finish", () => {
    const events = run([
      chunk([{ text: "Hel" }], undefined, { promptTokenCount: 5, candidatesTokenCount: 1 }),
      chunk([{ text: "" }, { text: "lo" }], "STOP", { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 }),
    ]);
    expect(events).toEqual([
      { event: { $case: "textDelta", value: { text: "Hel" } } },
      { event: { $case: "textDelta", value: { text: "lo" } } },
      {
        event: {
          $case: "usage",
          value: { promptTokens: 5, completionTokens: 2, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
        },
      },
      { event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "STOP", model: MODEL } } },
    ]);
  });

  it("carries a part's thought signature on its text delta, even on an empty text part", () => {
    const events = run([chunk([{ text: "Hi", thoughtSignature: "sigA" }]), chunk([{ text: "", thoughtSignature: "sigB" }], "STOP")]);
    expect(events.slice(0, 2)).toEqual([
      { event: { $case: "textDelta", value: { text: "Hi", signature: "sigA" } } },
      { event: { $case: "textDelta", value: { text: "", signature: "sigB" } } },
    ]);
  });

  it("maps thought parts to reasoning deltas, with their signature when present", () => {
    const events = run([chunk([{ text: "Thinking", thought: true }, { text: "", thought: true, thoughtSignature: "sigR" }, { text: "Answer" }], "STOP")]);
    expect(events.slice(0, 3)).toEqual([
      { event: { $case: "reasoningDelta", value: { text: "Thinking" } } },
      { event: { $case: "reasoningDelta", value: { text: "", signature: "sigR" } } },
      { event: { $case: "textDelta", value: { text: "Answer" } } },
    ]);
  });

  it("gives each function call one whole delta, counting calls across chunks, with its id or a generated one and its signature", () => {
    const events = run([
      chunk([{ functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "sig1" }, { functionCall: { name: "time" } }]),
      chunk([{ functionCall: { id: "gemini-id", name: "weather", args: { city: "Rome" } } }], "STOP"),
    ]);
    expect(events.slice(0, 3)).toEqual([
      {
        event: {
          $case: "toolCallDelta",
          value: { index: 0, id: "generated_1", name: "weather", argumentsDelta: '{"city":"Paris"}', signature: "sig1" },
        },
      },
      { event: { $case: "toolCallDelta", value: { index: 1, id: "generated_2", name: "time", argumentsDelta: "{}" } } },
      { event: { $case: "toolCallDelta", value: { index: 2, id: "gemini-id", name: "weather", argumentsDelta: '{"city":"Rome"}' } } },
    ]);
    expect(events.at(-1)).toMatchObject({ event: { value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "STOP" } } });
  });

  it("generates a different id for each call by default", () => {
    const state = newGeminiStreamState();
    const calls = mapGeminiChunk(parseGeminiChunk(chunk([{ functionCall: { name: "a" } }, { functionCall: { name: "b" } }])), state);
    const ids = calls.map((e) => (e.event?.$case === "toolCallDelta" ? e.event.value.id : undefined));
    expect(ids[0]).toMatch(/^call_[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^call_[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("reports the last usage once: completion counts the thoughts in, cached and reasoning counts, unreported counts unset", () => {
    const events = run([
      chunk([{ text: "a" }], undefined, { promptTokenCount: 100, candidatesTokenCount: 1, thoughtsTokenCount: 40, cachedContentTokenCount: 64 }),
      chunk([{ text: "b" }], "STOP", { promptTokenCount: 100, candidatesTokenCount: 9, thoughtsTokenCount: 40, cachedContentTokenCount: 64 }),
    ]);
    expect(events.filter((e) => e.event?.$case === "usage")).toEqual([
      {
        event: {
          $case: "usage",
          value: { promptTokens: 100, completionTokens: 49, cachedInputTokens: 64, cacheWriteTokens: undefined, reasoningTokens: 40 },
        },
      },
    ]);
    expect(run([chunk([{ text: "a" }], "STOP")]).map((e) => e.event?.$case)).toEqual(["textDelta", "finish"]);
    expect(run([chunk([{ text: "a" }], "STOP", { thoughtsTokenCount: 7 })]).find((e) => e.event?.$case === "usage")).toEqual({
      event: {
        $case: "usage",
        value: { promptTokens: undefined, completionTokens: 7, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: 7 },
      },
    });
  });

  it("finishes a blocked prompt with CONTENT_FILTER and its block reason", () => {
    const events = run([{ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 8 } }]);
    expect(events.at(-1)).toEqual({
      event: { $case: "finish", value: { reason: FinishReason.FINISH_REASON_CONTENT_FILTER, rawReason: "SAFETY", model: MODEL } },
    });
  });

  it("reads only the first candidate and ignores part kinds it does not know", () => {
    const events = run([
      {
        candidates: [
          { index: 1, content: { parts: [{ text: "second" }] } },
          { index: 0, content: { parts: [{ inlineData: { mimeType: "image/png", data: "AA==" } }, { text: "first" }] }, finishReason: "STOP" },
        ],
        modelVersion: "gemini-3-pro-preview",
      },
    ]);
    expect(events.map((e) => e.event?.$case)).toEqual(["textDelta", "finish"]);
    expect(events[0]).toEqual({ event: { $case: "textDelta", value: { text: "first" } } });
  });

  it("accepts unknown fields, and refuses a chunk of the wrong shape as malformed", () => {
    expect(() => parseGeminiChunk({ candidates: [{ content: { parts: [] }, groundingMetadata: {} }], responseId: "r" })).not.toThrow();
    for (const bad of [
      { candidates: "none" },
      { candidates: [{ content: { parts: [{ text: 1 }] } }] },
      { candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] },
      { usageMetadata: { promptTokenCount: -1 } },
    ]) {
      const error = caught(() => parseGeminiChunk(bad));
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe("malformed");
    }
  });

  it("treats a stream that ends without a finish reason as malformed", () => {
    const error = caught(() => run([chunk([{ text: "Hel" }])]));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("malformed");
  });
});

describe("mapGeminiFinishReason", () => {
  it("maps STOP (TOOL_CALLS after calls), MAX_TOKENS, the filters, and anything else to OTHER", () => {
    expect(mapGeminiFinishReason("STOP", false)).toBe(FinishReason.FINISH_REASON_STOP);
    expect(mapGeminiFinishReason("STOP", true)).toBe(FinishReason.FINISH_REASON_TOOL_CALLS);
    expect(mapGeminiFinishReason("MAX_TOKENS", true)).toBe(FinishReason.FINISH_REASON_LENGTH);
    for (const raw of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]) {
      expect(mapGeminiFinishReason(raw, false)).toBe(FinishReason.FINISH_REASON_CONTENT_FILTER);
    }
    for (const raw of ["MALFORMED_FUNCTION_CALL", "LANGUAGE", "OTHER", "FINISH_REASON_UNSPECIFIED", "SOMETHING_NEW"]) {
      expect(mapGeminiFinishReason(raw, false)).toBe(FinishReason.FINISH_REASON_OTHER);
    }
  });
});

describe("classifyGeminiError", () => {
  const apiError = (status: number, body: object) => new ApiError({ status, message: JSON.stringify(body) });

  it("reads Google's error object from an HTTP error and from an error chunk of the stream", () => {
    expect(googleErrorOf('{"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}}')).toMatchObject({ message: "Overloaded" });
    expect(googleErrorOf('got status: UNAVAILABLE. {"error":{"code":503,"message":"Overloaded"}}')).toMatchObject({ message: "Overloaded" });
    expect(googleErrorOf("upstream connect error")).toBeUndefined();
    expect(googleErrorOf("{ not json")).toBeUndefined();
  });

  it("takes a 429's retry delay from RetryInfo, in seconds with fractions", () => {
    const info = (retryDelay: string) => ({ details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] });
    expect(retryDelayMsOf(info("7s"))).toBe(7000);
    expect(retryDelayMsOf(info("0.5s"))).toBe(500);
    expect(retryDelayMsOf(info("1.000340s"))).toBe(1000);
    expect(retryDelayMsOf(info("soon"))).toBeUndefined();
    expect(retryDelayMsOf({ details: [] })).toBeUndefined();
  });

  it("takes a 429's retry delay from the response's retry-after when the body has no RetryInfo", () => {
    const error = classifyGeminiError(apiError(429, { error: { code: 429, message: "slow" } }), "request", new Headers({ "retry-after": "2" }));
    expect(error).toMatchObject({ kind: "rate_limit", message: "slow", details: { retryAfterMs: 2000, httpStatus: 429 } });
    expect(classifyGeminiError(apiError(429, { error: { message: "slow" } }), "request").details.retryAfterMs).toBeUndefined();
  });

  it("classifies statuses: auth, invalid key, context window, bad request, unavailable", () => {
    const kind = (status: number, message: string, details: object[] = []) =>
      classifyGeminiError(apiError(status, { error: { code: status, message, details } }), "request").kind;
    expect(kind(401, "unauthenticated")).toBe("auth");
    expect(kind(403, "denied")).toBe("auth");
    expect(kind(400, "API key not valid.", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }])).toBe("auth");
    expect(kind(400, "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).")).toBe("context_window");
    expect(kind(400, "Invalid value at 'contents'")).toBe("bad_request");
    expect(kind(404, "models/nope is not found")).toBe("bad_request");
    expect(kind(500, "internal")).toBe("unavailable");
    expect(kind(503, "The model is overloaded.")).toBe("unavailable");
  });

  it("classifies connection failures, bad JSON and cut-off streams, and keeps ProviderErrors as they are", () => {
    const refused = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    expect(classifyGeminiError(refused, "request")).toMatchObject({ kind: "unavailable" });
    expect(classifyGeminiError(new SyntaxError("Unexpected token"), "stream").kind).toBe("malformed");
    expect(classifyGeminiError(new TypeError("terminated"), "stream").kind).toBe("malformed");
    expect(classifyGeminiError(new Error("Incomplete JSON segment at the end"), "stream").kind).toBe("malformed");
    const own = new ProviderError("bad_request", "no contents");
    expect(classifyGeminiError(own, "request")).toBe(own);
  });
});
