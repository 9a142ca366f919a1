import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { FinishReason } from "@conduit/proto/agent/v1";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { userRequest } from "./support/requests.js";

const { upstream, collect } = useAdapter(({ url }) => ({
  ...providerEnv.openai(url),
  ...providerEnv.azure(url),
  CONDUIT_RETRY_BASE_MS: "10",
  CONDUIT_RETRY_MAX_DELAY_MS: "1000",
}));

const requestFor = (model: string) => userRequest(model, "hi");

const textDelta = (delta: string) => ({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta });

describe("StreamCompletion through the OpenAI Responses adapter, over gRPC", () => {
  it("replays a recorded reasoning stream: summaries, the encrypted reasoning item, the call, usage and finish", async () => {
    upstream.enqueue("openai-responses", { kind: "fixture", file: "openai-reasoning-encrypted-content.1.chunks.txt" });
    const { events, error } = await collect(requestFor("openai-responses/gpt-5.1-codex-max"));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event?.$case).filter((c, i, all) => c !== all[i - 1])).toEqual([
      "reasoningDelta",
      "summarizedReasoning",
      "toolCallDelta",
      "usage",
      "finish",
    ]);
    const summarized = events.find((e) => e.event?.$case === "summarizedReasoning")?.event;
    expect(summarized?.$case === "summarizedReasoning" && summarized.value.encryptedContent).toMatch(/^gAAAAA/);
    expect(events.at(-1)?.event).toEqual({
      $case: "finish",
      value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "completed", model: "openai-responses/gpt-5.1-codex-max" },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/responses");
    expect(sent.headers.authorization).toBe("Bearer sk-test-key");
    expect(sent.body).toMatchObject({ model: "gpt-5.1-codex-max", store: false, include: ["reasoning.encrypted_content"] });
  });

  it("serves azure/<deployment> through the Azure endpoint", async () => {
    upstream.enqueue("openai-responses", { kind: "fixture", file: "azure-text.1.chunks.txt" });
    const { events, error } = await collect(requestFor("azure/my-deployment"));
    expect(error).toBeUndefined();
    expect(events[0]?.event).toEqual({ $case: "textDelta", value: { text: "Hello" } });
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { model: "azure/my-deployment" } });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/openai/responses");
    expect(sent.headers["api-key"]).toBe("azure-test-key");
  });

  it("ends an in-stream error after the first delta with its gRPC status and reason, without a retry", async () => {
    const before = upstream.requests.length;
    upstream.enqueue("openai-responses", {
      kind: "stream",
      chunks: [
        textDelta("Hel"),
        { type: "error", code: "context_length_exceeded", message: "Your input exceeds the context window of this model.", param: null },
        { type: "response.failed", response: { status: "failed", error: { code: "context_length_exceeded", message: "too long" } } },
      ],
    });
    const { events, error } = await collect(requestFor("openai-responses/gpt-5"));
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      reason: "CONTEXT_WINDOW_EXCEEDED",
      metadata: { provider: "openai-responses", before_first_delta: "false" },
    });
    expect(upstream.requests.length - before).toBe(1);
  });

  it("closes the upstream connection when the caller cancels mid-stream", async () => {
    upstream.enqueue("openai-responses", { kind: "stream", chunks: [textDelta("Hel")], then: "stall" });
    const controller = new AbortController();
    const { events, error } = await collect(requestFor("openai-responses/gpt-5"), { signal: controller.signal, onEvent: () => controller.abort() });
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: Status.CANCELLED });
    const sent = upstream.requests.at(-1)!;
    await upstream.closed(sent);
    expect(sent.closedBy).toBe("client");
  });
});
