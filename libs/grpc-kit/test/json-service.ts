import { credentials, makeGenericClientConstructor, type Client, type ServiceDefinition } from "@grpc/grpc-js";
import { createLogger } from "@conduit/logging";
import { GrpcHost } from "../src/index.js";

/** A tiny JSON-encoded service so the kit is tested without generated code. */
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (buf: Buffer) => JSON.parse(buf.toString()) as unknown,
};
const method = (name: string, responseStream: boolean) => ({
  path: `/kit.test.v1.TestService/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
  originalName: name,
});

export const TestServiceDefinition = {
  echo: method("Echo", false),
  items: method("Items", true),
} satisfies ServiceDefinition;

export type TestClient = Client & Record<keyof typeof TestServiceDefinition, (...args: never[]) => unknown>;

export const silentLog = createLogger({ service: "kit-test", level: "silent" });

export async function startHost(
  impl: Record<keyof typeof TestServiceDefinition, unknown>,
  opts: Partial<ConstructorParameters<typeof GrpcHost>[0]> = {},
) {
  const host = new GrpcHost({
    log: silentLog,
    services: ["kit.test.v1.TestService"],
    descriptorSet: new Uint8Array(),
    healthIntervalMs: 60_000,
    ...opts,
  });
  host.server.addService(TestServiceDefinition, impl as never);
  const address = await host.listen("127.0.0.1", 0);
  const Ctor = makeGenericClientConstructor(TestServiceDefinition, "TestService");
  const client = new Ctor(address, credentials.createInsecure()) as unknown as TestClient;
  return { host, address, client };
}

/** A promise with its resolve exposed, for "this happened" checkpoints in tests. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
