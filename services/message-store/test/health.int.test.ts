import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { healthClient, watchHealth, type HealthStatus } from "@conduit/grpc-kit";
import { startPostgres, startService, type RunningService } from "@conduit/testing";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Follows a service's health; `next(status)` resolves when the server publishes it. */
function follow(address: string) {
  const client = healthClient(address);
  const controller = new AbortController();
  const seen: HealthStatus[] = [];
  const waiters: Array<{ status: HealthStatus; resolve: () => void }> = [];
  void (async () => {
    for await (const status of watchHealth(client, "", { signal: controller.signal })) {
      seen.push(status);
      for (const w of waiters.filter((w) => w.status === status)) w.resolve();
    }
  })().catch(() => undefined);
  cleanups.push(() => {
    controller.abort();
    client.close();
  });
  return {
    seen,
    next: (status: HealthStatus) =>
      new Promise<void>((resolve) => {
        if (seen.at(-1) === status) resolve();
        else waiters.push({ status, resolve });
      }),
  };
}

describe("message-store health", () => {
  it("goes NOT_SERVING while its Postgres is down and SERVING again when it is back", async () => {
    const pg = await startPostgres();
    cleanups.push(() => pg.stop());
    const store = await startService("message-store", {
      CONDUIT_PORT: "0",
      DATABASE_URL: pg.url,
      CONDUIT_HEALTH_INTERVAL_MS: "200",
    });
    cleanups.push(() => store.stop().then(() => undefined));
    const health = follow(store.address);
    await health.next("SERVING");

    await pg.pause();
    await health.next("NOT_SERVING");
    expect((await store.waitForLine((l) => l.msg === "health: degraded")).failing).toEqual(["database"]);

    await pg.resume();
    await health.next("SERVING");
    expect(health.seen).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
  });

  it("runs on embedded PGlite with its data under CONDUIT_DATA_DIR when DATABASE_URL is unset", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "conduit-store-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const start = () => startService("message-store", { CONDUIT_PORT: "0", CONDUIT_DATA_DIR: dataDir, DATABASE_URL: "" });

    let store: RunningService = await start();
    expect(store.lines.find((l) => l.msg === "database ready")?.database).toBe("pglite");
    await follow(store.address).next("SERVING");
    expect(existsSync(join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
    expect(await store.stop()).toEqual({ code: 0, signal: null });

    // A second start reopens the same data directory.
    store = await start();
    cleanups.push(() => store.stop().then(() => undefined));
    await follow(store.address).next("SERVING");
  });
});
