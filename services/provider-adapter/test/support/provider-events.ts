import { expect } from "vitest";
import { finishReasonToJSON } from "@conduit/proto/agent/v1";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "../../src/core/model-provider.js";
import { ProviderError } from "../../src/core/provider-error.js";

/** Every event a provider streams for a request. */
export async function collectEvents(
  provider: ModelProvider,
  request: StreamCompletionRequest,
  signal = new AbortController().signal,
): Promise<CompletionEvent[]> {
  const events: CompletionEvent[] = [];
  for await (const event of provider.stream(request, { signal })) events.push(event);
  return events;
}

/** The ProviderError a call ends with (the test fails if it ends otherwise). */
export async function failureOf(events: Promise<unknown>): Promise<ProviderError> {
  const error = await events.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** The events a call streamed before it ended, and what it threw (undefined when it finished). */
export async function eventsUntilFailure(
  provider: ModelProvider,
  request: StreamCompletionRequest,
): Promise<{ seen: CompletionEvent[]; error: unknown }> {
  const seen: CompletionEvent[] = [];
  const error = await (async () => {
    for await (const event of provider.stream(request, { signal: new AbortController().signal })) seen.push(event);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { seen, error };
}

/** A provider test's calls of one request, each through a fresh provider. */
export function callsOf(provider: () => ModelProvider, request: StreamCompletionRequest) {
  return {
    collect: (signal?: AbortSignal) => collectEvents(provider(), request, signal),
    failure: () => failureOf(collectEvents(provider(), request)),
    eventsThenFailure: () => eventsUntilFailure(provider(), request),
  };
}

/** A completed stream has exactly one finish, and it comes last. */
export function expectOneFinishLast(events: CompletionEvent[]): void {
  expect(events.filter((e) => e.event?.$case === "finish")).toHaveLength(1);
  expect(events.at(-1)?.event?.$case).toBe("finish");
}

/** Every tool call's assembled arguments (in `normalize`d events) are JSON. */
export function expectToolCallArgumentsJson(normalized: ReturnType<typeof normalize>): void {
  for (const call of normalized.filter((e) => e.type === "tool_call")) {
    expect(() => JSON.parse(String(call.arguments))).not.toThrow();
  }
}

/**
 * The event sequence with consecutive deltas of one kind merged (text and reasoning joined, the
 * reasoning's signature kept; a tool call's arguments joined per index), so a snapshot shows what
 * was said, not how it was cut.
 */
export function normalize(events: CompletionEvent[]) {
  const out: Array<Record<string, unknown>> = [];
  for (const { event } of events) {
    const last = out.at(-1);
    switch (event?.$case) {
      case "textDelta":
      case "reasoningDelta": {
        const type = event.$case === "textDelta" ? "text" : "reasoning";
        if (last?.type === type) last.text = `${String(last.text)}${event.value.text}`;
        else out.push({ type, text: event.value.text, deltas: 0 });
        const current = out.at(-1)!;
        current.deltas = Number(current.deltas) + 1;
        if (event.value.signature !== undefined) current.signature = event.value.signature;
        break;
      }
      case "toolCallDelta": {
        const v = event.value;
        if (last?.type === "tool_call" && last.index === v.index) {
          last.arguments = `${String(last.arguments)}${v.argumentsDelta}`;
          last.deltas = Number(last.deltas) + 1;
        } else out.push({ type: "tool_call", index: v.index, id: v.id, name: v.name, arguments: v.argumentsDelta, deltas: 1 });
        break;
      }
      case "redactedReasoning":
        out.push({ type: "redacted_reasoning", data: event.value.data });
        break;
      case "usage":
        out.push({ type: "usage", ...event.value });
        break;
      case "finish":
        out.push({ type: "finish", ...event.value, reason: finishReasonToJSON(event.value.reason) });
        break;
      default:
        out.push({ type: event?.$case ?? "empty" });
    }
  }
  return out;
}
