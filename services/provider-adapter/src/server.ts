import { GrpcHost, serverStream, unary } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { ProviderAdapterServiceService, type ProviderAdapterServiceServer } from "@conduit/proto/provider/v1";
import { mergeCompletionEvents } from "./core/merge-events.js";
import type { RetryPolicy } from "./core/retry-policy.js";
import type { ImageFetchLimits } from "./images/fetch-image.js";
import { listModels } from "./handlers/list-models.js";
import { streamCompletion } from "./handlers/stream-completion.js";
import type { ProviderRegistry } from "./registry.js";

export interface ServerDeps {
  log: Logger;
  registry: ProviderRegistry;
  /** When set, every call must present it. */
  internalKey: string | undefined;
  retry: RetryPolicy;
  /** A provider stream silent this long ends with DEADLINE_EXCEEDED / STREAM_STALLED. */
  stallTimeoutMs: number;
  /** Image URLs in messages are fetched within these limits and sent inline. */
  images: ImageFetchLimits;
  healthIntervalMs: number;
}

const rpc = (name: string) => `${SERVICE_NAMES.providerAdapter}/${name}`;

/** The provider-adapter gRPC server. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.providerAdapter],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
  });
  host.serve<ProviderAdapterServiceServer>(ProviderAdapterServiceService, {
    // Deltas that arrive together (one network read of the provider) travel as one.
    streamCompletion: serverStream(host.runtime, rpc("StreamCompletion"), streamCompletion(deps), { merge: mergeCompletionEvents }),
    listModels: unary(host.runtime, rpc("ListModels"), listModels(deps)),
  });
  return host;
}
