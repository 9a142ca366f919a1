import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import type { HandlerDeps } from "./rpc.js";

/** Agents and memory blocks. */
export function agentHandlers(_deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {};
}
