import { GrpcHost } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { ProviderAdapterServiceService, type ProviderAdapterServiceServer } from "@conduit/proto/provider/v1";

export interface ServerDeps {
  log: Logger;
  healthIntervalMs: number;
}

/** The provider-adapter gRPC server. StreamCompletion and ListModels are not served yet. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.providerAdapter],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
  });
  host.serve<ProviderAdapterServiceServer>(ProviderAdapterServiceService, {});
  return host;
}
