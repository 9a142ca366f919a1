import {
  Metadata,
  type CallOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError as GrpcServiceError,
} from "@grpc/grpc-js";
import { injectTrace } from "@conduit/tracing";
import { ServiceError, Status } from "./errors.js";
import { EncodedResponse } from "./released-client.js";

export interface CallOptionsLike {
  /** Cancels the call when aborted (the server sees CANCELLED). */
  signal?: AbortSignal;
  metadata?: Metadata;
  /** Relative deadline. */
  timeoutMs?: number;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcServiceError | null, response: Res) => void,
) => ClientUnaryCall;

type StreamMethod<Req, Res> = (
  request: Req,
  metadata?: Metadata,
  options?: Partial<CallOptions>,
) => ClientReadableStream<Res>;

/**
 * Calls a generated unary client method as a promise; failures become ServiceError. A
 * `releasedClient` method's EncodedResponse is decoded here.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, opts: CallOptionsLike = {}): Promise<Res> {
  opts.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    // grpc-js keeps this callback reachable after the call (see EncodedResponse): it lets go of
    // the promise's resolvers, which would keep the response alive through the promise.
    let settle: { resolve: (res: Res) => void; reject: (err: unknown) => void } | undefined = { resolve, reject };
    const call = method(request, tracedMetadata(opts.metadata), callOptions(opts), (err, res) => {
      opts.signal?.removeEventListener("abort", cancel);
      const { resolve, reject } = settle!;
      settle = undefined;
      if (err) reject(ServiceError.fromGrpc(err));
      else if (res instanceof EncodedResponse) decodeInto(res as EncodedResponse<Res>, resolve, reject);
      else resolve(res);
    });
    const cancel = () => call.cancel();
    opts.signal?.addEventListener("abort", cancel, { once: true });
  });
}

/** A response that does not decode fails the call as grpc-js would have: INTERNAL. */
function decodeInto<Res>(res: EncodedResponse<Res>, resolve: (res: Res) => void, reject: (err: unknown) => void): void {
  let decoded: Res;
  try {
    decoded = res.take();
  } catch (err) {
    reject(new ServiceError(Status.INTERNAL, "RESPONSE_UNREADABLE", `the response could not be decoded: ${(err as Error).message}`, { cause: err }));
    return;
  }
  resolve(decoded);
}

/**
 * Calls a generated server-streaming client method as an async iterable. Leaving the loop early
 * (break, throw) or aborting the signal cancels the call.
 */
export async function* callStream<Req, Res>(
  method: StreamMethod<Req, Res>,
  request: Req,
  opts: CallOptionsLike = {},
): AsyncGenerator<Res> {
  opts.signal?.throwIfAborted();
  const call = method(request, tracedMetadata(opts.metadata), callOptions(opts));
  const cancel = () => call.cancel();
  opts.signal?.addEventListener("abort", cancel, { once: true });
  let finished = false;
  try {
    for await (const item of call as AsyncIterable<Res>) yield item;
    finished = true;
  } catch (err) {
    finished = true;
    throw isGrpcError(err) ? ServiceError.fromGrpc(err) : err;
  } finally {
    opts.signal?.removeEventListener("abort", cancel);
    if (!finished) call.cancel();
  }
}

/** The caller's metadata (copied: callers reuse theirs) with the active trace context added. */
function tracedMetadata(metadata: Metadata | undefined): Metadata {
  const md = metadata ? metadata.clone() : new Metadata();
  injectTrace((key, value) => md.set(key, value));
  return md;
}

function callOptions(opts: CallOptionsLike): Partial<CallOptions> {
  return opts.timeoutMs === undefined ? {} : { deadline: new Date(Date.now() + opts.timeoutMs) };
}

function isGrpcError(err: unknown): err is GrpcServiceError {
  return err instanceof Error && typeof (err as Partial<GrpcServiceError>).code === "number" && "metadata" in err;
}
