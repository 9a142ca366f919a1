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
      const call = new WatchedCall(options.signal, options.stallTimeoutMs);
      try {
        for await (const event of candidate.provider.stream({ ...request, model: candidate.handle }, { signal: call.signal })) {
          sent++;
          call.pause();
          yield event;
          call.resume();
        }
        call.throwIfStalled();
        return;
      } catch (thrown) {
        const err = call.failure(thrown);
        if (!(err instanceof ProviderError)) throw err;
        last = new CandidateFailure(err, candidate, sent === 0);
        if (sent > 0) throw last;
        const delayMs = err.retryable ? retryDelay(options.policy, attempt, err.details.retryAfterMs, Math.random()) : undefined;
        if (delayMs === undefined) break;
        options.onRetry?.({ handle: candidate.handle, attempt, delayMs, kind: err.kind });
        await sleep(delayMs, undefined, { signal: options.signal });
      } finally {
        call.close();
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
class WatchedCall {
  private readonly controller = new AbortController();
  private readonly timer: StallTimer;
  private stall: ProviderError | undefined;
  private readonly cancel = () => this.controller.abort(this.caller.reason);

  constructor(
    private readonly caller: AbortSignal,
    stallTimeoutMs: number,
  ) {
    if (caller.aborted) this.cancel();
    else caller.addEventListener("abort", this.cancel, { once: true });
    this.timer = new StallTimer(stallTimeoutMs, () => {
      this.stall = new ProviderError("stalled", `the provider sent nothing for ${stallTimeoutMs} ms`);
      this.controller.abort(this.stall);
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  pause(): void {
    this.timer.pause();
  }

  resume(): void {
    this.timer.resume();
  }

  throwIfStalled(): void {
    if (this.stall) throw this.stall;
  }

  /** What the call failed with: the stall, whatever the provider threw on being aborted. */
  failure(thrown: unknown): unknown {
    return this.stall ?? thrown;
  }

  close(): void {
    this.timer.stop();
    this.caller.removeEventListener("abort", this.cancel);
  }
}
