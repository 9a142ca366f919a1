import { existsSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { startNats, type ThrowawayNats } from "../src/index.js";

async function withConnection<T>(url: string, use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

async function withNats(options: { jetstream?: boolean }, use: (nats: ThrowawayNats) => Promise<void>) {
  const nats = await startNats(options);
  try {
    await use(nats);
  } finally {
    await nats.stop();
  }
}

describe("startNats", () => {
  it("serves a publish/subscribe round trip", async () => {
    await withNats({}, (nats) =>
      withConnection(nats.url, async (nc) => {
        const subscription = nc.subscribe("run.42.cancel", { max: 1 });
        nc.publish("run.42.cancel", "stop");
        for await (const message of subscription) expect(message.string()).toBe("stop");
        expect(subscription.getReceived()).toBe(1);
      }),
    );
  });

  it("pause refuses clients and resume brings back the JetStream streams", async () => {
    await withNats({}, async (nats) => {
      await withConnection(nats.url, async (nc) => {
        await (await jetstreamManager(nc)).streams.add({ name: "RUNS", subjects: ["runs.>"] });
        await jetstream(nc).publish("runs.r1.events", "started");
      });
      const firstPid = nats.pid!;
      await nats.pause();
      expect(() => process.kill(firstPid, 0)).toThrow();
      await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
      await nats.resume();
      const info = await withConnection(nats.url, async (nc) => (await jetstreamManager(nc)).streams.info("RUNS"));
      expect(info.state.messages).toBe(1);
    });
  });

  it("stop ends the server and removes its store directory", async () => {
    const nats = await startNats();
    const pid = nats.pid!;
    expect(existsSync(nats.storeDir!)).toBe(true);
    await nats.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(nats.storeDir!)).toBe(false);
  });

  it("runs without JetStream and without a store when asked", async () => {
    await withNats({ jetstream: false }, async (nats) => {
      expect(nats.storeDir).toBeUndefined();
      await withConnection(nats.url, async (nc) => {
        expect(nc.info?.jetstream).toBeFalsy();
      });
    });
  });
});
