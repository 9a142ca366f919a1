import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { FinishReason } from "@conduit/proto/agent/v1";
import { anthropicError } from "@conduit/testing";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { userRequest } from "./support/requests.js";

// One call per model: these tests check how each failure is classified, not retries.
const { upstream, collect } = useAdapter(({ url }) => ({
  ...providerEnv.anthropic(url),
  CONDUIT_RETRY_MAX_ATTEMPTS: "1",
  CONDUIT_STALL_TIMEOUT_MS: "1000",
}));

const request = userRequest("anthropic/claude-sonnet-5-5", "hi");

describe("StreamCompletion through the Anthropic adapter, over gRPC", () => {
  it("replays recorded thinking with its signature, then text, usage and finish", async () => {
    upstream.enqueue("anthropic-messages", { kind: "fixture", file: "anthropic-clear-thinking.1.chunks.txt" });
    const { events, error } = await collect(request);
    expect(error).toBeUndefined();
    const reasoning = events.flatMap((e) => (e.event?.$case === "reasoningDelta" ? [e.event.value] : []));
    expect(reasoning.map((r) => r.text).join("").length).toBeGreaterThan(0);
    expect(reasoning.some((r) => (r.signature ?? "").length > 0)).toBe(true);
    expect(events.some((e) => e.event?.$case === "textDelta")).toBe(true);
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "end_turn" } });
  });

  it("classifies an overloaded error inside the 200 stream as UNAVAILABLE / PROVIDER_UNAVAILABLE", async () => {
    upstream.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [
        { type: "message_start", message: { id: "m1", type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } },
        { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      ],
    });
    const { error } = await collect(request);
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: "PROVIDER_UNAVAILABLE", metadata: { provider: "anthropic" } });
    expect(error?.message).toContain("Overloaded");
  });

  it("ends with FAILED_PRECONDITION / PROVIDER_AUTH when the provider refuses the key", async () => {
    upstream.enqueue("anthropic-messages", { kind: "error", status: 401, body: anthropicError("authentication_error", "invalid x-api-key") });
    const { error } = await collect(request);
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: "PROVIDER_AUTH", metadata: { http_status: "401" } });
  });

  it("cuts off a stream silent past the stall timeout with DEADLINE_EXCEEDED / STREAM_STALLED", async () => {
    upstream.enqueue("anthropic-messages", {
      kind: "stream",
      chunks: [
        { type: "message_start", message: { id: "m1", type: "message", role: "assistant", model: "claude-sonnet-5-5", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } },
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
      ],
      then: "stall",
    });
    const { events, error } = await collect(request);
    expect(events.map((e) => e.event?.$case)).toEqual(["textDelta"]);
    expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED, reason: "STREAM_STALLED", metadata: { before_first_delta: "false" } });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });
});
