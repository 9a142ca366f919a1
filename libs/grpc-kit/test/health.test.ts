import { afterEach, describe, expect, it } from "vitest";
import { checkHealth, healthClient, watchHealth, type HealthProbe } from "../src/index.js";
import { deferred, startHost } from "./json-service.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A probe the test turns on and off. */
function switchProbe(name: string) {
  let up = true;
  const probe: HealthProbe = {
    name,
    async check() {
      if (!up) throw new Error(`${name} down`);
    },
  };
  return { probe, set: (value: boolean) => (up = value) };
}

async function serveWith(probes: HealthProbe[]) {
  const s = await startHost({ echo: () => undefined, items: () => undefined }, { probes });
  const health = healthClient(s.address);
  cleanups.push(async () => {
    health.close();
    s.client.close();
    await s.host.close(1_000);
  });
  return { ...s, health };
}

describe("HealthReporter", () => {
  it("reports SERVING for the server and each service once its probes pass", async () => {
    const db = switchProbe("database");
    const { health } = await serveWith([db.probe]);
    expect(await checkHealth(health, "")).toBe("SERVING");
    expect(await checkHealth(health, "kit.test.v1.TestService")).toBe("SERVING");
  });

  it("reports NOT_SERVING while a probe fails and SERVING again when it recovers", async () => {
    const db = switchProbe("database");
    const { host, health } = await serveWith([db.probe]);
    db.set(false);
    await host.health.refresh();
    expect(await checkHealth(health)).toBe("NOT_SERVING");
    expect(host.health.current).toEqual({ kind: "degraded", failing: ["database"] });
    db.set(true);
    await host.health.refresh();
    expect(await checkHealth(health)).toBe("SERVING");
  });

  it("pushes status changes to Watch callers", async () => {
    const bus = switchProbe("bus");
    const { host, health } = await serveWith([bus.probe]);
    const seen: string[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const status of watchHealth(health, "", { signal: controller.signal })) {
        seen.push(status);
        if (seen.length === 1) {
          bus.set(false);
          void host.health.refresh();
        }
        if (seen.length === 2) break;
      }
    })();
    await watching;
    expect(seen).toEqual(["SERVING", "NOT_SERVING"]);
  });

  it("reports NOT_SERVING from the start of shutdown", async () => {
    const { host, health } = await serveWith([]);
    expect(await checkHealth(health)).toBe("SERVING");
    host.health.stopping();
    expect(await checkHealth(health)).toBe("NOT_SERVING");
  });

  it("ends open Watch streams when the server closes, so they never hold up a drain", async () => {
    const { host, health } = await serveWith([]);
    const seen: string[] = [];
    const first = deferred();
    const watching = (async () => {
      for await (const status of watchHealth(health)) {
        seen.push(status);
        first.resolve();
      }
    })();
    await first.promise;
    // A grace period longer than the test timeout: only a clean end of the stream passes.
    await host.close(120_000);
    await watching;
    expect(seen).toEqual(["SERVING", "NOT_SERVING"]);
  });

  it("answers NOT_FOUND for a service it does not serve", async () => {
    const { health } = await serveWith([]);
    await expect(checkHealth(health, "no.such.Service")).rejects.toMatchObject({ reason: "SERVICE_UNKNOWN" });
  });
});
