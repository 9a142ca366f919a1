import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import type { HandlerDeps } from "./rpc.js";

/** Messages and in-context lists. */
export function messageHandlers(_deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {};
}
