import { makeGenericClientConstructor, type MethodDefinition, type ServiceDefinition } from "@grpc/grpc-js";

/**
 * A unary response still in its wire bytes. grpc-js keeps each finished call's closures (and
 * the response they captured) reachable from its HTTP/2 stream until a full collection, so
 * every young-generation collection copies the recent responses again: 3–5 MB and 4–12 ms a
 * collection for 35 KB responses here. callUnary decodes the bytes and empties the box, so
 * only the box stays behind.
 */
export class EncodedResponse<T = unknown> {
  #bytes: Buffer | undefined;

  constructor(
    bytes: Buffer,
    private readonly decode: (bytes: Buffer) => T,
  ) {
    this.#bytes = bytes;
  }

  /** Decodes the response; a second take is a bug. */
  take(): T {
    const bytes = this.#bytes;
    if (bytes === undefined) throw new Error("EncodedResponse taken twice");
    this.#bytes = undefined;
    return this.decode(bytes);
  }
}

interface ClientConstructor {
  service: ServiceDefinition;
  serviceName: string;
}

const released = new WeakMap<object, unknown>();

/**
 * The generated client class `Ctor`, whose unary methods answer with an EncodedResponse that
 * `callUnary` decodes. Call its unary methods through `callUnary` only. Streaming methods are
 * unchanged.
 */
export function releasedClient<C extends ClientConstructor>(Ctor: C): C {
  const known = released.get(Ctor);
  if (known) return known as C;
  const service: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(Ctor.service as Record<string, MethodDefinition<unknown, unknown>>)) {
    const decode = method.responseDeserialize;
    service[name] =
      method.requestStream || method.responseStream
        ? method
        : { ...method, responseDeserialize: (bytes: Buffer) => new EncodedResponse(bytes, decode) };
  }
  const Released = makeGenericClientConstructor(service, Ctor.serviceName);
  released.set(Ctor, Released);
  return Released as unknown as C;
}
