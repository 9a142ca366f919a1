import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "../src/core/model-provider.js";
import { ProviderError } from "../src/core/provider-error.js";
import { resilientStream } from "../src/resilient-stream.js";

const text = (t: string): CompletionEvent => ({ event: { $case: "textDelta", value: { text: t } } });

/** Resolves when the signal aborts, rejecting like an SDK does (not with the abort reason). */
const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new Error("request aborted")), { once: true }));

function provider(stream: ModelProvider["stream"]): ModelProvider {
  return { name: "test", models: () => [], stream };
}

const request = StreamCompletionRequest.fromPartial({ model: "test/m" });
const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 };

describe("resilientStream: the stall timeout", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("cuts off a provider silent past the timeout with `stalled`, aborting its call, and does not retry", async () => {
    const signals: AbortSignal[] = [];
    const silent = provider(async function* (_request, { signal }) {
      signals.push(signal);
      yield text("Hel");
      await untilAborted(signal);
    });
    const events: CompletionEvent[] = [];
    const done = (async () => {
      for await (const e of resilientStream([{ provider: silent, handle: "test/m" }], request, { signal: new AbortController().signal, policy, stallTimeoutMs: 1000 })) {
        events.push(e);
      }
    })().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const failure = (await done) as { error: ProviderError; beforeFirstDelta: boolean };
    expect(failure.error).toBeInstanceOf(ProviderError);
    expect(failure.error.kind).toBe("stalled");
    expect(failure.beforeFirstDelta).toBe(false);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(events).toEqual([text("Hel")]);
  });

  it("does not count the time a slow reader holds an event as the provider's silence", async () => {
    const steady = provider(async function* () {
      yield text("a");
      yield text("b");
    });
    const events: CompletionEvent[] = [];
    for await (const e of resilientStream([{ provider: steady, handle: "test/m" }], request, { signal: new AbortController().signal, policy, stallTimeoutMs: 1000 })) {
      events.push(e);
      // The reader keeps the event for five timeouts.
      await vi.advanceTimersByTimeAsync(5000);
    }
    expect(events).toEqual([text("a"), text("b")]);
  });

  it("counts silence from the last event, not from the start of the call", async () => {
    const signals: AbortSignal[] = [];
    const slow = provider(async function* (_request, { signal }) {
      signals.push(signal);
      for (const t of ["a", "b", "c"]) {
        await new Promise((resolve) => setTimeout(resolve, 800));
        yield text(t);
      }
    });
    const events: CompletionEvent[] = [];
    const done = (async () => {
      for await (const e of resilientStream([{ provider: slow, handle: "test/m" }], request, { signal: new AbortController().signal, policy, stallTimeoutMs: 1000 })) {
        events.push(e);
      }
    })();
    await vi.advanceTimersByTimeAsync(2400);
    await done;
    expect(events.map((e) => (e.event?.$case === "textDelta" ? e.event.value.text : ""))).toEqual(["a", "b", "c"]);
    expect(signals[0]!.aborted).toBe(false);
  });

  it("passes the caller's cancel through to the provider call as a cancel, not a stall", async () => {
    const caller = new AbortController();
    caller.abort(new Error("caller went away"));
    const seen: unknown[] = [];
    const p = provider(async function* (_request, { signal }) {
      seen.push(signal.reason);
      signal.throwIfAborted();
      yield text("never");
    });
    const iterate = async () => {
      for await (const _ of resilientStream([{ provider: p, handle: "test/m" }], request, { signal: caller.signal, policy, stallTimeoutMs: 1000 })) {
        // nothing
      }
    };
    await expect(iterate()).rejects.toThrow("caller went away");
    expect(seen).toEqual([caller.signal.reason]);
  });
});
