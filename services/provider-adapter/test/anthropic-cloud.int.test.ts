import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { FinishReason } from "@conduit/proto/agent/v1";
import { bedrockError, bedrockException } from "@conduit/testing";
import { useAdapter, type StreamCall } from "./support/adapter-service.js";
import { startWithText } from "./support/anthropic-wire.js";
import { providerEnv } from "./support/provider-env.js";
import { userRequest } from "./support/requests.js";

// One call per model: these tests check how each failure is classified, not retries.
const adapter = useAdapter(({ url }) => ({
  ...providerEnv.bedrock(url),
  ANTHROPIC_VERTEX_PROJECT_ID: "conduit-test",
  CLOUD_ML_REGION: "us-east5",
  ANTHROPIC_VERTEX_BASE_URL: `${url}/v1`,
  ANTHROPIC_VERTEX_ACCESS_TOKEN: "ya29.test-token",
  CONDUIT_RETRY_MAX_ATTEMPTS: "1",
}));
const { upstream } = adapter;

const MODEL_ID = "anthropic.claude-sonnet-4-20250514-v1:0";

const collect = (model = `bedrock/${MODEL_ID}`, call?: StreamCall) => adapter.collect(userRequest(model, "hi"), call);

describe("StreamCompletion through the Bedrock adapter, over gRPC", () => {
  it("replays recorded thinking with its signature, then text, usage and finish, over a signed request", async () => {
    upstream.enqueue("bedrock", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt" });
    const { events, error } = await collect();
    expect(error).toBeUndefined();
    const reasoning = events.flatMap((e) => (e.event?.$case === "reasoningDelta" ? [e.event.value] : []));
    expect(reasoning.map((r) => r.text).join("")).toBe("The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185");
    expect(reasoning.some((r) => (r.signature ?? "").startsWith("EvQBCkYICxgCKkAxhD4N"))).toBe(true);
    expect(events.map((e) => (e.event?.$case === "textDelta" ? e.event.value.text : "")).join("")).toBe("925 ÷ 5 = 185");
    expect(events.at(-1)?.event).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "end_turn", model: `bedrock/${MODEL_ID}` },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(`/model/${MODEL_ID}/invoke-with-response-stream`);
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request,/);
  });

  it("ends with RESOURCE_EXHAUSTED / RATE_LIMITED on a throttlingException inside the stream", async () => {
    upstream.enqueue("bedrock", { kind: "stream", chunks: [bedrockException("throttlingException", "Too many tokens, please wait before trying again.")] });
    const { error } = await collect();
    expect(error).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, reason: "RATE_LIMITED", metadata: { provider: "bedrock" } });
    expect(error?.message).toContain("Too many tokens");
  });

  it("ends with FAILED_PRECONDITION / PROVIDER_AUTH when Bedrock refuses the credentials", async () => {
    upstream.enqueue("bedrock", bedrockError(403, "UnrecognizedClientException", "The security token included in the request is invalid."));
    const { error } = await collect();
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: "PROVIDER_AUTH", metadata: { http_status: "403" } });
  });

  it("closes the upstream connection when the caller cancels mid-stream", async () => {
    upstream.enqueue("bedrock", {
      kind: "stream",
      chunks: startWithText("Hel"),
      then: "stall",
    });
    const controller = new AbortController();
    let cancelledAt = 0;
    const { events, error } = await collect(undefined, {
      signal: controller.signal,
      onEvent: () => {
        cancelledAt = performance.now();
        controller.abort();
      },
    });
    expect(events.map((e) => e.event?.$case)).toEqual(["textDelta"]);
    expect(error).toMatchObject({ code: Status.CANCELLED });
    const sent = upstream.requests.at(-1)!;
    expect(sent.route).toBe("bedrock");
    // The provider server runs in this process: both instants are on one clock.
    const closedAt = await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
    expect(closedAt - cancelledAt).toBeLessThan(50);
  });
});

describe("StreamCompletion through the Vertex adapter, over gRPC", () => {
  it("replays a recorded stream sent with the configured access token", async () => {
    upstream.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-json-tool.1.chunks.txt" });
    const { events, error } = await collect("vertex/claude-sonnet-4@20250514");
    expect(error).toBeUndefined();
    const args = events.map((e) => (e.event?.$case === "toolCallDelta" ? e.event.value.argumentsDelta : "")).join("");
    expect(JSON.parse(args)).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, model: "vertex/claude-sonnet-4@20250514" } });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/projects/conduit-test/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict");
    expect(sent.headers.authorization).toBe("Bearer ya29.test-token");
  });
});
