import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { healthClient, watchHealth, type HealthStatus } from "@conduit/grpc-kit";
import pg from "pg";
import { Message, MessageRole } from "@conduit/proto/agent/v1";
import { startPostgres, startService, type RunningService } from "@conduit/testing";
import { POOL_SIZE } from "../src/db/data-source.js";
import { HEALTH_APPLICATION_NAME } from "../src/db/health-connection.js";
import { lockWaiters } from "./support/pg-activity.js";
import { startStore } from "./support/store-harness.js";


const text = (t: string) => Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: t } } }] });

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

  it("stays SERVING while every pooled connection waits on a lock: busy is not down", async () => {
    const store = await startStore("postgres", { CONDUIT_HEALTH_INTERVAL_MS: "200" });
    cleanups.push(() => store.stop());
    const health = follow(store.address);
    await health.next("SERVING");
    const t = await store.newAgentTenant();

    // Hold the agent's row: every append takes the agent's lock, so each keeps a pooled
    // connection waiting, and more appends than the pool has connections leave none free.
    const [holder, watcher] = [new pg.Client({ connectionString: store.databaseUrl }), new pg.Client({ connectionString: store.databaseUrl })];
    for (const c of [holder, watcher]) {
      await c.connect();
      cleanups.push(() => c.end());
    }
    await holder.query("BEGIN");
    await holder.query("SELECT 1 FROM agents WHERE id = $1 FOR UPDATE", [t.agentId]);
    const appends = Array.from({ length: POOL_SIZE }, (_, i) =>
      store.call("appendMessages", { agentId: t.agentId, messages: [text(`message ${i}`)], addToContext: true }, { apiKey: t.apiKey }),
    );
    await lockWaiters(watcher, POOL_SIZE);

    // Two probe rounds while the pool is full (the health connection's last query moves on),
    // unless the store reports NOT_SERVING first. (Watched from outside the holder's
    // transaction: pg_stat_activity does not change within one.)
    const lastProbe = async () =>
      (
        await watcher.query<{ at: Date | null }>(
          "SELECT max(state_change) AS at FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
          [HEALTH_APPLICATION_NAME],
        )
      ).rows[0]!.at;
    const probeRounds = async (count: number) => {
      const seen = new Set<number>();
      while (seen.size <= count) {
        const at = await lastProbe();
        if (at) seen.add(at.getTime());
      }
    };
    await Promise.race([probeRounds(2), health.next("NOT_SERVING")]);
    expect(health.seen).toEqual(["SERVING"]);

    await holder.query("ROLLBACK");
    const results = await Promise.allSettled(appends);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
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
