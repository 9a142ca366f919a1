import { credentials, makeGenericClientConstructor, type ServiceDefinition } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { callStream, callUnary, EncodedResponse, releasedClient, ServiceError, Status } from "../src/index.js";
import { startHost, TestServiceDefinition, type TestClient } from "./json-service.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

/** The test service's generated-style constructor, with its definition on `service` like ts-proto's. */
const TestServiceClient = makeGenericClientConstructor(TestServiceDefinition, "kit.test.v1.TestService");

async function start(client = TestServiceClient) {
  const s = await startHost({
    echo: (call: { request: unknown }, cb: (err: null, res: unknown) => void) => cb(null, call.request),
    items: (call: { request: { count: number }; write(v: unknown): void; end(): void }) => {
      for (let n = 0; n < call.request.count; n++) call.write({ n });
      call.end();
    },
  });
  const Released = releasedClient(client);
  const released = new Released(s.address, credentials.createInsecure()) as unknown as TestClient;
  stops.push(async () => {
    released.close();
    s.client.close();
    await s.host.close(1_000);
  });
  return { released, ...s };
}

describe("releasedClient", () => {
  it("answers callUnary with the decoded response, as the plain client does", async () => {
    const { released, client } = await start();
    const req = { text: "hello", nested: { list: [1, 2, 3] } };
    const viaReleased = await callUnary(released.echo.bind(released) as never, req);
    expect(viaReleased).toEqual(req);
    expect(viaReleased).toEqual(await callUnary(client.echo.bind(client) as never, req));
  });

  it("hands grpc-js an EncodedResponse, which callUnary empties", async () => {
    const { released } = await start();
    const box = await new Promise<unknown>((resolve, reject) =>
      (released.echo as (...args: unknown[]) => unknown)({ text: "raw" }, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res))),
    );
    expect(box).toBeInstanceOf(EncodedResponse);
    const encoded = box as EncodedResponse<{ text: string }>;
    expect(encoded.take()).toEqual({ text: "raw" });
    expect(() => encoded.take()).toThrow(/taken twice/);
  });

  it("leaves streaming methods decoded by grpc-js", async () => {
    const { released } = await start();
    const items: unknown[] = [];
    for await (const item of callStream(released.items.bind(released) as never, { count: 3 })) items.push(item);
    expect(items).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it("fails the call with INTERNAL when the response does not decode", async () => {
    const broken = { ...TestServiceDefinition, echo: { ...TestServiceDefinition.echo, responseDeserialize: () => JSON.parse("{") } };
    const { released } = await start(makeGenericClientConstructor(broken satisfies ServiceDefinition, "kit.test.v1.TestService"));
    const err = await callUnary(released.echo.bind(released) as never, { text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe(Status.INTERNAL);
    expect((err as ServiceError).reason).toBe("RESPONSE_UNREADABLE");
  });

  it("builds one class per generated class", () => {
    expect(releasedClient(TestServiceClient)).toBe(releasedClient(TestServiceClient));
  });
});
