import {
  Metadata,
  type CallOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError as GrpcServiceError,
} from "@grpc/grpc-js";
import { injectTrace } from "@conduit/tracing";
import { ServiceError } from "./errors.js";

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

/** Calls a generated unary client method as a promise; failures become ServiceError. */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, opts: CallOptionsLike = {}): Promise<Res> {
  opts.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const call = method(request, tracedMetadata(opts.metadata), callOptions(opts), (err, res) => {
      opts.signal?.removeEventListener("abort", cancel);
      if (err) reject(ServiceError.fromGrpc(err));
      else resolve(res);
    });
    const cancel = () => call.cancel();
    opts.signal?.addEventListener("abort", cancel, { once: true });
  });
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
