import { setTimeout as sleep } from "node:timers/promises";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "./core/model-provider.js";
import { ProviderError } from "./core/provider-error.js";
import { retryDelay, type RetryPolicy } from "./core/retry-policy.js";

export interface Candidate {
  provider: ModelProvider;
  /** The full handle, `<provider>/<model>`. */
  handle: string;
}

/** A provider failure with the candidate it came from and whether any event had been sent. */
export class CandidateFailure extends Error {
  constructor(
    readonly error: ProviderError,
    readonly candidate: Candidate,
    readonly beforeFirstDelta: boolean,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * Streams from the first candidate that answers: retryable failures are tried again with
 * backoff, then the next candidate (fallback models, in order) takes over — all only before the
 * first event. Once an event has been sent, a failure ends the stream.
 */
export async function* resilientStream(
  candidates: readonly Candidate[],
  request: StreamCompletionRequest,
  options: { signal: AbortSignal; policy: RetryPolicy; onRetry?: (info: { handle: string; attempt: number; delayMs: number; kind: string }) => void },
): AsyncGenerator<CompletionEvent> {
  let last: CandidateFailure | undefined;
  for (const candidate of candidates) {
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      try {
        for await (const event of candidate.provider.stream({ ...request, model: candidate.handle }, { signal: options.signal })) {
          sent++;
          yield event;
        }
        return;
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        last = new CandidateFailure(err, candidate, sent === 0);
        if (sent > 0) throw last;
        const delayMs = err.retryable ? retryDelay(options.policy, attempt, err.details.retryAfterMs, Math.random()) : undefined;
        if (delayMs === undefined) break;
        options.onRetry?.({ handle: candidate.handle, attempt, delayMs, kind: err.kind });
        await sleep(delayMs, undefined, { signal: options.signal });
      }
    }
  }
  if (last) throw last;
}
