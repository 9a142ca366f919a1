import { invalidArgument, type CallContext } from "@conduit/grpc-kit";
import { Counter, registry } from "@conduit/metrics";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import type { RetryPolicy } from "../core/retry-policy.js";
import type { ImageFetchLimits } from "../images/fetch-image.js";
import { resolveImageUrls } from "../images/resolve-image-urls.js";
import { toServiceError } from "../provider-errors.js";
import type { ProviderRegistry } from "../registry.js";
import { CandidateFailure, resilientStream, type Candidate } from "../resilient-stream.js";
import { requireInternal } from "./access.js";

export interface StreamCompletionDeps {
  registry: ProviderRegistry;
  internalKey: string | undefined;
  retry: RetryPolicy;
  stallTimeoutMs: number;
  images: ImageFetchLimits;
}

const providerErrors = new Counter({
  name: "conduit_provider_errors_total",
  help: "Completions that failed after retries and fallbacks, by provider and error class.",
  labelNames: ["provider", "kind"],
  registers: [registry],
});

/**
 * StreamCompletion: the model, then its fallback models, each retried before its first event;
 * a provider failure ends the call with its gRPC status, saying whether any event was sent.
 */
export function streamCompletion(deps: StreamCompletionDeps) {
  return async function* (request: StreamCompletionRequest, ctx: CallContext): AsyncGenerator<CompletionEvent> {
    requireInternal(ctx, deps.internalKey);
    if (request.messages.length === 0) throw invalidArgument("messages", "must not be empty");
    const handles = [request.model || deps.registry.defaultModel, ...request.fallbackModels];
    const candidates: Candidate[] = handles.map((handle) => ({ provider: deps.registry.resolve(handle).provider, handle }));
    const messages = await resolveImageUrls(request.messages, deps.images, ctx.signal);
    try {
      yield* resilientStream(candidates, { ...request, messages }, {
        signal: ctx.signal,
        policy: deps.retry,
        stallTimeoutMs: deps.stallTimeoutMs,
        onRetry: (info) => ctx.log.info(info, "provider call failed before its first event; retrying"),
      });
    } catch (err) {
      if (err instanceof CandidateFailure) {
        providerErrors.inc({ provider: err.candidate.provider.name, kind: err.error.kind });
        throw toServiceError(err.error, {
          provider: err.candidate.provider.name,
          model: err.candidate.handle,
          beforeFirstDelta: err.beforeFirstDelta,
        });
      }
      throw err;
    }
  };
}
