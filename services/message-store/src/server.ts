import { GrpcHost } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { MessageStoreServiceService, type MessageStoreServiceServer } from "@conduit/proto/store/v1";
import type { Database } from "./db/data-source.js";

export interface ServerDeps {
  log: Logger;
  database: Database;
  healthIntervalMs: number;
}

/** The message-store gRPC server. Its RPCs are not served yet; health follows the database. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.messageStore],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
    probes: [{ name: "database", check: (signal) => deps.database.check(signal) }],
  });
  host.serve<MessageStoreServiceServer>(MessageStoreServiceService, {});
  return host;
}
