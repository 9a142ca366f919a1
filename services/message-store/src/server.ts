import type { DataSource } from "typeorm";
import { GrpcHost } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { descriptorSet, SERVICE_NAMES } from "@conduit/proto";
import { MessageStoreServiceService, type MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { Authenticator, type Credentials } from "./auth/authenticator.js";
import { agentHandlers } from "./handlers/agents.js";
import { apiKeyHandlers } from "./handlers/api-keys.js";
import { messageHandlers } from "./handlers/messages.js";
import { runHandlers } from "./handlers/runs.js";

export interface ServerDeps {
  log: Logger;
  database: { dataSource: DataSource; check(signal: AbortSignal): Promise<void> };
  credentials: Credentials;
  healthIntervalMs: number;
}

/** The message-store gRPC server; health follows the database. */
export function createServer(deps: ServerDeps): GrpcHost {
  const host = new GrpcHost({
    log: deps.log,
    services: [SERVICE_NAMES.messageStore],
    descriptorSet,
    healthIntervalMs: deps.healthIntervalMs,
    probes: [{ name: "database", check: (signal) => deps.database.check(signal) }],
  });
  const db = deps.database.dataSource;
  const handlerDeps = { db, auth: new Authenticator(db, deps.credentials), rt: host.runtime };
  host.serve<MessageStoreServiceServer>(MessageStoreServiceService, {
    ...agentHandlers(handlerDeps),
    ...messageHandlers(handlerDeps),
    ...runHandlers(handlerDeps),
    ...apiKeyHandlers(handlerDeps),
  });
  return host;
}
