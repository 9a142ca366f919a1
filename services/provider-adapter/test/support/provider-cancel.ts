import { expect } from "vitest";
import type { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import type { ProviderServer } from "@conduit/testing";
import type { ModelProvider } from "../../src/core/model-provider.js";

/**
 * Aborts a call at its first event (the server stalls after it): the call must reject with the
 * abort reason, and the HTTP request must be closed by the client. Returns the text deltas seen.
 */
export async function expectCancelMidStream(server: ProviderServer, provider: ModelProvider, request: StreamCompletionRequest): Promise<string[]> {
  const controller = new AbortController();
  const reason = new Error("cancelled by the test");
  const seen: string[] = [];
  const consumed = (async () => {
    for await (const { event } of provider.stream(request, { signal: controller.signal })) {
      if (event?.$case === "textDelta") seen.push(event.value.text);
      controller.abort(reason);
    }
  })();
  await expect(consumed).rejects.toBe(reason);
  const recorded = server.requests.at(-1)!;
  await server.closed(recorded);
  expect(recorded.closedBy).toBe("client");
  return seen;
}

/** A call whose signal aborted before it began rejects with the abort reason, not a ProviderError. */
export async function expectCancelBeforeResponse(server: ProviderServer, call: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  // Nothing is queued: the SDK must not even reach the server.
  const before = server.requests.length;
  const controller = new AbortController();
  const reason = new Error("cancelled early");
  controller.abort(reason);
  await expect(call(controller.signal)).rejects.toBe(reason);
  expect(server.requests.length).toBe(before);
}
