import { invalidArgument, type CallContext } from "@conduit/grpc-kit";
import type { CompletionEvent, StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { ProviderError } from "../core/provider-error.js";
import { toServiceError } from "../provider-errors.js";
import type { ProviderRegistry } from "../registry.js";
import { requireInternal } from "./access.js";

export interface StreamCompletionDeps {
  registry: ProviderRegistry;
  internalKey: string | undefined;
}

/**
 * StreamCompletion: resolve the model's provider, stream its normalized events, and map a
 * provider failure to its gRPC status, saying whether any event had been sent.
 */
export function streamCompletion(deps: StreamCompletionDeps) {
  return async function* (request: StreamCompletionRequest, ctx: CallContext): AsyncGenerator<CompletionEvent> {
    requireInternal(ctx, deps.internalKey);
    const handle = request.model || deps.registry.defaultModel;
    if (request.messages.length === 0) throw invalidArgument("messages", "must not be empty");
    const { provider } = deps.registry.resolve(handle);
    let sent = 0;
    try {
      for await (const event of provider.stream({ ...request, model: handle }, { signal: ctx.signal })) {
        sent++;
        yield event;
      }
    } catch (err) {
      if (err instanceof ProviderError) {
        throw toServiceError(err, { provider: provider.name, model: handle, beforeFirstDelta: sent === 0 });
      }
      throw err;
    }
  };
}
