import { afterEach, describe, expect, it } from "vitest";
import { checkHealth, healthClient, watchHealth, type HealthStatus } from "@conduit/grpc-kit";
import { startNats, startService } from "@conduit/testing";

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("agent-loop health", () => {
  it("goes NOT_SERVING when NATS goes away and SERVING again once it reconnects", async () => {
    const nats = await startNats();
    cleanups.push(() => nats.stop());
    const loop = await startService("agent-loop", { CONDUIT_PORT: "0", NATS_URL: nats.url, CONDUIT_INTERNAL_KEY: "internal-key-for-health-tests" });
    cleanups.push(() => loop.stop());
    expect(loop.lines.find((l) => l.msg === "bus ready")?.bus).toBe("nats");

    const client = healthClient(loop.address);
    const controller = new AbortController();
    cleanups.push(() => {
      controller.abort();
      client.close();
    });
    const seen: HealthStatus[] = [];
    for await (const status of watchHealth(client, "", { signal: controller.signal })) {
      seen.push(status);
      // The bus's disconnect and reconnect events refresh health at once, no polling needed.
      if (seen.length === 1) await nats.pause();
      if (seen.length === 2) await nats.resume();
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
  });

  it("runs on the in-process bus when NATS_URL is unset", async () => {
    const loop = await startService("agent-loop", { CONDUIT_PORT: "0", NATS_URL: "", CONDUIT_INTERNAL_KEY: "internal-key-for-health-tests" });
    cleanups.push(() => loop.stop());
    expect(loop.lines.find((l) => l.msg === "bus ready")?.bus).toBe("in-process");
    const client = healthClient(loop.address);
    cleanups.push(() => client.close());
    expect(await checkHealth(client, "conduit.agent.v1.AgentLoopService")).toBe("SERVING");
  });
});
