import { afterEach, describe, expect, inject, it } from "vitest";
import { connectNatsBus, createInProcessBus, type Bus, type BusMessage } from "../src/index.js";

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (m: BusMessage) => new TextDecoder().decode(m.data);

const buses: Bus[] = [];
afterEach(async () => {
  while (buses.length) await buses.pop()!.close();
});

/** The same behaviour from both adapters: embedded mode and distributed mode agree. */
describe.each([
  { kind: "in-process", open: async () => createInProcessBus() },
  { kind: "nats", open: () => connectNatsBus({ url: inject("natsUrl"), name: "bus-test" }) },
])("$kind bus", ({ open }) => {
  const openBus = async () => {
    const bus = await open();
    buses.push(bus);
    return bus;
  };

  it("delivers to subscribers whose pattern matches, in publish order", async () => {
    const bus = await openBus();
    const got: string[] = [];
    bus.subscribe("test.run.*.cancel", (m) => got.push(`${m.subject}=${decode(m)}`));
    await bus.flush();
    bus.publish("test.run.a.cancel", encode("1"));
    bus.publish("test.run.b.events", encode("x"));
    bus.publish("test.run.b.cancel", encode("2"));
    // A sentinel subscription proves the earlier messages had their chance to arrive.
    const done = new Promise<void>((resolve) => bus.subscribe("test.done", () => resolve()));
    await bus.flush();
    bus.publish("test.done", encode(""));
    await done;
    expect(got).toEqual(["test.run.a.cancel=1", "test.run.b.cancel=2"]);
  });

  it("stops delivering after unsubscribe", async () => {
    const bus = await openBus();
    const got: string[] = [];
    const sub = bus.subscribe("test.unsub", (m) => got.push(decode(m)));
    const done = new Promise<void>((resolve) => bus.subscribe("test.unsub.done", () => resolve()));
    await bus.flush();
    bus.publish("test.unsub", encode("before"));
    await bus.flush();
    sub.unsubscribe();
    bus.publish("test.unsub", encode("after"));
    bus.publish("test.unsub.done", encode(""));
    await done;
    expect(got).toEqual(["before"]);
  });

  it("passes its health check while open and fails it once closed", async () => {
    const bus = await open();
    await expect(bus.check(AbortSignal.timeout(1_000))).resolves.toBeUndefined();
    await bus.close();
    await expect(bus.check(AbortSignal.timeout(1_000))).rejects.toThrow();
  });
});
