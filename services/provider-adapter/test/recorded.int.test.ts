import { describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import { listFixtures, type ProviderRoute } from "@conduit/testing";
import { useAdapter } from "./support/adapter-service.js";
import { providerEnv } from "./support/provider-env.js";
import { normalize } from "./support/provider-events.js";
import { userRequest } from "./support/requests.js";

// Every recorded stream, replayed through the real service over gRPC: one adapter process with
// every provider family pointed at one local provider server.

const { upstream, collect } = useAdapter(({ url }) => ({
  ...providerEnv.openai(url),
  ...providerEnv.azure(url),
  ...providerEnv.anthropic(url),
  ...providerEnv.gemini(url),
  ...providerEnv.bedrock(url),
  // One call per replay: a recorded failure must not be retried against an empty queue.
  CONDUIT_RETRY_MAX_ATTEMPTS: "1",
  // A replay that hangs fails in seconds, not at the 5-minute default.
  CONDUIT_STALL_TIMEOUT_MS: "5000",
}));

interface Replay {
  /** The provider server route that serves the file (and names its fixtures folder). */
  readonly route: ProviderRoute;
  readonly file: string;
  /** The handle the request names. */
  readonly model: string;
}

const BEDROCK_MODEL = "bedrock/anthropic.claude-sonnet-4-20250514-v1:0";
const AZURE_RECORDING = "azure-text.1.chunks.txt";

const replaysOf = (route: ProviderRoute, model: string): Replay[] => listFixtures(route).map((file) => ({ route, file, model }));

const REPLAYS: Replay[] = [
  ...replaysOf("openai-chat", "openai/gpt-4.1-mini"),
  ...replaysOf("openai-responses", "openai-responses/gpt-5"),
  // The Azure recording once more through Azure's own endpoint.
  { route: "openai-responses", file: AZURE_RECORDING, model: "azure/my-deployment" },
  ...replaysOf("anthropic-messages", "anthropic/claude-sonnet-4-5"),
  // The Anthropic recordings once more, in Bedrock's event-stream framing.
  ...replaysOf("bedrock", BEDROCK_MODEL),
  ...replaysOf("gemini", "google/gemini-3-pro-preview"),
];

const keyOf = (r: Replay) => `${r.route}/${r.file}`;
// Test names in full: vitest would quote and shorten a `$field` of an object case.
const named = (replays: Replay[]) => replays.map((r) => [`${keyOf(r)} as ${r.model}`, r] as const);

/** Recordings that do not end with a finish, and the status they must end with instead. */
const FAILING = new Map<string, { code: Status; reason: string; message: RegExp }>([
  // Lines 1 and 6 are not JSON as published upstream (see the fixtures README).
  ["openai-responses/parallel-tool-call-wrapper.1.chunks.txt", { code: Status.UNAVAILABLE, reason: "MALFORMED_RESPONSE", message: /invalid JSON/ }],
  // A recorded `error` event (exhausted quota) before any output, then `response.failed`.
  ["openai-responses/openai-error.1.chunks.txt", { code: Status.RESOURCE_EXHAUSTED, reason: "RATE_LIMITED", message: /exceeded your current quota/ }],
]);

async function replay(r: Replay) {
  const before = routeRequests(r.route);
  upstream.enqueue(r.route, { kind: "fixture", file: r.file });
  const { events, error } = await collect(userRequest(r.model, "hi"));
  return { events, error, requests: routeRequests(r.route) - before };
}

const routeRequests = (route: ProviderRoute) => upstream.requests.filter((q) => q.route === route).length;

const GENERATED_ID = /^call_[0-9a-f]{32}$/;

/**
 * normalize() without delta counts (over gRPC they depend on how the reads fell), with each
 * tool call's signature, a generated tool call id shown as `<generated>` (it differs per run),
 * and each summarized reasoning item shown with its encrypted content abbreviated.
 */
function forSnapshot(events: CompletionEvent[]) {
  const signatures = new Map<number, string>();
  for (const { event } of events) {
    if (event?.$case === "toolCallDelta" && event.value.signature !== undefined) signatures.set(event.value.index, event.value.signature);
  }
  const out: Array<Record<string, unknown>> = [];
  let run: CompletionEvent[] = [];
  const flush = () => {
    for (const { deltas: _deltas, ...e } of normalize(run)) {
      if (e.type !== "tool_call") out.push(e);
      else out.push({ ...e, id: GENERATED_ID.test(String(e.id)) ? "<generated>" : e.id, signature: signatures.get(Number(e.index)) });
    }
    run = [];
  };
  for (const e of events) {
    if (e.event?.$case !== "summarizedReasoning") {
      run.push(e);
      continue;
    }
    flush();
    const { id, summaries, encryptedContent } = e.event.value;
    const encrypted = encryptedContent === undefined ? undefined : `${encryptedContent.slice(0, 16)}… (${encryptedContent.length} chars)`;
    out.push({ type: "summarized_reasoning", id, summaries, encrypted });
  }
  flush();
  return out;
}

describe("StreamCompletion over gRPC replays every recorded provider stream", () => {
  const completing = REPLAYS.filter((r) => !FAILING.has(keyOf(r)));
  const failing = REPLAYS.filter((r) => FAILING.has(keyOf(r)));

  it("finds recordings in every folder, the failing ones among them", () => {
    for (const route of ["openai-chat", "openai-responses", "anthropic-messages", "gemini"] as const) {
      expect(listFixtures(route).length).toBeGreaterThan(0);
    }
    expect(listFixtures("bedrock")).toEqual(listFixtures("anthropic-messages"));
    expect(listFixtures("openai-responses")).toContain(AZURE_RECORDING);
    expect(failing.map(keyOf).sort()).toEqual([...FAILING.keys()].sort());
  });

  it.each(named(completing))("%s", async (_name, r) => {
    const { events, error, requests } = await replay(r);
    expect(error).toBeUndefined();
    expect(requests).toBe(1);
    const snapshot = forSnapshot(events);
    expect(snapshot).toMatchSnapshot();

    const kinds = events.map((e) => e.event?.$case);
    // Exactly one finish, last, for this model; at most one usage, right before it.
    expect(kinds.filter((k) => k === "finish")).toHaveLength(1);
    expect(events.at(-1)?.event).toMatchObject({ $case: "finish", value: { model: r.model } });
    const usages = kinds.filter((k) => k === "usage").length;
    expect(usages).toBeLessThanOrEqual(1);
    if (usages === 1) expect(kinds.at(-2)).toBe("usage");
    // Every tool call's assembled arguments are JSON.
    for (const call of snapshot.filter((e) => e.type === "tool_call")) {
      expect(() => JSON.parse(String(call.arguments))).not.toThrow();
    }
  });

  it.each(named(failing))("%s ends with its status, before any event", async (_name, r) => {
    const expected = FAILING.get(keyOf(r))!;
    const { events, error, requests } = await replay(r);
    expect(events).toEqual([]);
    expect(error).toMatchObject({
      code: expected.code,
      reason: expected.reason,
      metadata: { provider: r.model.split("/")[0], model: r.model, before_first_delta: "true" },
    });
    expect(error?.message).toMatch(expected.message);
    expect(requests).toBe(1);
  });
});
