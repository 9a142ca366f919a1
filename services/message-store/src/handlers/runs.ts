import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import type { HandlerDeps } from "./rpc.js";

/** Runs, run locks, leases and steps. */
export function runHandlers(_deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {};
}
