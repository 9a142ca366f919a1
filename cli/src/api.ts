import { credentials, Metadata } from "@grpc/grpc-js";
import type { CallOptionsLike } from "@conduit/grpc-kit";
import { AgentLoopServiceClient } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import type { Connection } from "./config.js";

/** Unary calls give up after this long; streams have no deadline (a run may wait on a human). */
const UNARY_TIMEOUT_MS = 30_000;

/** The two services the CLI talks to, made on first use so that a command opens only what it needs. */
export class Api {
  #loop: AgentLoopServiceClient | undefined;
  #store: MessageStoreServiceClient | undefined;
  readonly #metadata = new Metadata();

  constructor(readonly connection: Connection) {
    this.#metadata.set("authorization", `Bearer ${connection.apiKey}`);
  }

  get loop(): AgentLoopServiceClient {
    return (this.#loop ??= new AgentLoopServiceClient(this.connection.address, credentials.createInsecure()));
  }

  get store(): MessageStoreServiceClient {
    return (this.#store ??= new MessageStoreServiceClient(this.connection.storeAddress, credentials.createInsecure()));
  }

  /** Options of a unary call: the caller's key and a deadline. */
  unary(): CallOptionsLike {
    return { metadata: this.#metadata, timeoutMs: UNARY_TIMEOUT_MS };
  }

  /** Options of a streaming call: the caller's key; aborting the signal closes the stream. */
  stream(signal?: AbortSignal): CallOptionsLike {
    return { metadata: this.#metadata, ...(signal ? { signal } : {}) };
  }

  close(): void {
    this.#loop?.close();
    this.#store?.close();
  }
}
