import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { FinishReason } from "@conduit/proto/agent/v1";
import { geminiError } from "@conduit/testing";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { userRequest } from "./support/requests.js";

// One call per model: these tests check how each failure is classified, not retries.
const { upstream, collect } = useAdapter(({ url }) => ({
  ...providerEnv.gemini(url),
  CONDUIT_RETRY_MAX_ATTEMPTS: "1",
}));

const request = userRequest("google/gemini-3-pro-preview", "hi");

describe("StreamCompletion through the Gemini adapter, over gRPC", () => {
  it("replays a recorded function call with its thought signature, then usage and a TOOL_CALLS finish", async () => {
    upstream.enqueue("gemini", { kind: "fixture", file: "google-tool-call.chunks.txt" });
    const { events, error } = await collect(request);
    expect(error).toBeUndefined();
    const calls = events.flatMap((e) => (e.event?.$case === "toolCallDelta" ? [e.event.value] : []));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, name: "weather", argumentsDelta: '{"location":"San Francisco"}' });
    expect(calls[0]!.signature).toMatch(/^EqUCCqICAb4/);
    expect(events.at(-2)?.event).toMatchObject({ $case: "usage", value: { promptTokens: 29, completionTokens: 60, reasoningTokens: 45 } });
    expect(events.at(-1)?.event).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "STOP", model: "google/gemini-3-pro-preview" },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-3-pro-preview:streamGenerateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("AIza-test-key");
  });

  it("ends with RESOURCE_EXHAUSTED / RATE_LIMITED and Google's retry delay on a 429", async () => {
    const body = geminiError("RESOURCE_EXHAUSTED", "You exceeded your current quota", 429);
    upstream.enqueue("gemini", {
      kind: "error",
      status: 429,
      body: { error: { ...body.error, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] } },
    });
    const { error } = await collect(request);
    expect(error).toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      reason: "RATE_LIMITED",
      retryDelayMs: 7000,
      metadata: { provider: "google", http_status: "429", before_first_delta: "true" },
    });
  });

  it("closes the upstream connection when the caller cancels mid-stream", async () => {
    upstream.enqueue("gemini", {
      kind: "stream",
      chunks: [{ candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] }],
      then: "stall",
    });
    const controller = new AbortController();
    const { events, error } = await collect(request, { signal: controller.signal, onEvent: () => controller.abort() });
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.CANCELLED });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });
});
