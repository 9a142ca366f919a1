import { setTimeout as sleep } from "node:timers/promises";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import type { ModelProvider } from "./core/model-provider.js";
import { ProviderError } from "./core/provider-error.js";
import { retryDelay, type RetryPolicy } from "./core/retry-policy.js";
import { StallTimer } from "./stall-timer.js";

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

export interface ResilientStreamOptions {
  signal: AbortSignal;
  policy: RetryPolicy;
  /** A provider silent this long (before or between events) is cut off: `stalled`. */
  stallTimeoutMs: number;
  onRetry?: (info: { handle: string; attempt: number; delayMs: number; kind: string }) => void;
}

/**
 * Streams from the first candidate that answers: retryable failures are tried again with
 * backoff, then the next candidate (fallback models, in order) takes over — all only before the
 * first event. Once an event has been sent, a failure ends the stream.
 */
export async function* resilientStream(
  candidates: readonly Candidate[],
  request: StreamCompletionRequest,
  options: ResilientStreamOptions,
): AsyncGenerator<CompletionEvent> {
  let last: CandidateFailure | undefined;
  for (const candidate of candidates) {
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      try {
        for await (const event of watchedStream(candidate, request, options)) {
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

/**
 * One provider call under the stall timeout. The call gets its own signal, aborted by the
 * caller's cancel or by the stall; a stall ends the call (its HTTP request closes) with
 * `stalled`, whatever the provider threw on being aborted.
 */
async function* watchedStream(
  candidate: Candidate,
  request: StreamCompletionRequest,
  options: ResilientStreamOptions,
): AsyncGenerator<CompletionEvent> {
  const call = new AbortController();
  const cancel = () => call.abort(options.signal.reason);
  if (options.signal.aborted) cancel();
  else options.signal.addEventListener("abort", cancel, { once: true });
  let stall: ProviderError | undefined;
  const timer = new StallTimer(options.stallTimeoutMs, () => {
    stall = new ProviderError("stalled", `the provider sent nothing for ${options.stallTimeoutMs} ms`);
    call.abort(stall);
  });
  try {
    for await (const event of candidate.provider.stream({ ...request, model: candidate.handle }, { signal: call.signal })) {
      timer.pause();
      yield event;
      timer.resume();
    }
    if (stall) throw stall;
  } catch (err) {
    throw stall ?? err;
  } finally {
    timer.stop();
    options.signal.removeEventListener("abort", cancel);
  }
}
