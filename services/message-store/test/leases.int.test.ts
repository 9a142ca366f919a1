import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { ErrorType, RunStatus, StopReason, type Run } from "@conduit/proto/agent/v1";
import { TransitionRunRequest } from "@conduit/proto/store/v1";
import { newRun } from "./support/runs.js";
import { BACKENDS, startStore, type AgentTenant, type StoreHarness } from "./support/store-harness.js";

const INTERNAL = { internal: true as const };

describe.each(BACKENDS)("leases (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());



  const renew = (runId: string, owner: string, ttlMs: number) => store.call("renewLease", { runId, owner, ttlMs }, INTERNAL);
  const getRun = (t: AgentTenant, runId: string) => store.call("getRun", { runId }, { apiKey: t.apiKey }).then((r) => r.run!);

  /** A sweeper's move: fail the run as owner_lost, but only once its lease has expired. */
  const sweep = (run: Run) =>
    store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({
        runId: run.id,
        expectedStatus: run.status,
        newStatus: RunStatus.RUN_STATUS_FAILED,
        stopReason: StopReason.STOP_REASON_ERROR,
        error: { errorType: ErrorType.ERROR_TYPE_OWNER_LOST, message: "the replica running this run stopped renewing its lease" },
        onlyIfLeaseExpired: true,
      }),
      INTERNAL,
    );

  /** Polls the expired-lease listing until every run in `ids` is on it; the ids' entries in listing order. */
  async function untilExpired(ids: string[], deadlineMs = 15_000): Promise<Run[]> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const { runs } = await store.call("listExpiredLeases", { limit: 1000 }, INTERNAL);
      const ours = runs.filter((r) => ids.includes(r.id));
      if (ours.length === ids.length) return ours;
      if (Date.now() > deadline) throw new Error(`leases of ${ids.join(", ")} did not expire within ${deadlineMs} ms`);
      await delay(50);
    }
  }

  it("lets the owner renew its lease, moving its end later", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t, { leaseTtlMs: 5_000 });
    const renewed = await renew(run.id, "replica-a", 120_000);
    expect(renewed.renewed).toBe(true);
    expect(renewed.run!.leaseExpiresAt!.getTime()).toBeGreaterThan(run.leaseExpiresAt!.getTime() + 100_000);
    expect(await getRun(t, run.id)).toEqual(renewed.run);
  });

  it("answers renewed = false with the current run to another owner, and to the owner of an ended run", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t);
    expect(await renew(run.id, "replica-b", 120_000)).toEqual({ renewed: false, run });

    const ended = await store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({
        runId: run.id,
        expectedStatus: RunStatus.RUN_STATUS_CREATED,
        newStatus: RunStatus.RUN_STATUS_CANCELLED,
        stopReason: StopReason.STOP_REASON_CANCELLED,
      }),
      t.internal,
    );
    expect(await renew(run.id, "replica-a", 120_000)).toEqual({ renewed: false, run: ended.run });
    expect(ended.run!.leaseExpiresAt).toBeUndefined();
  });

  it("lists expired leases oldest first, and lets a sweeper fail a run only once its lease expired", async () => {
    const t = await store.newAgentTenant();
    const older = await newRun(store, t, { acquireLock: true });
    const newer = await newRun(store, t, { conversationId: "conv-1" });
    // Before expiry the sweeper's guarded transition loses and the runs are not listed.
    expect((await sweep(older)).won).toBe(false);
    const { runs: early } = await store.call("listExpiredLeases", { limit: 0 }, INTERNAL);
    expect(early.map((r) => r.id)).not.toContain(older.id);

    // The owner shortens both leases to the minimum; `older` first, so it expires first.
    await renew(older.id, "replica-a", 1000);
    await renew(newer.id, "replica-a", 1000);
    const expired = await untilExpired([older.id, newer.id]);
    expect(expired.map((r) => r.id)).toEqual([older.id, newer.id]);
    expect(expired[0]).toMatchObject({ organizationId: t.organizationId, status: RunStatus.RUN_STATUS_CREATED, owner: "replica-a" });

    const swept = await sweep(older);
    expect(swept.won).toBe(true);
    expect(swept.run).toMatchObject({
      status: RunStatus.RUN_STATUS_FAILED,
      stopReason: StopReason.STOP_REASON_ERROR,
      error: { errorType: ErrorType.ERROR_TYPE_OWNER_LOST },
      leaseExpiresAt: undefined,
    });
    // A second sweeper loses, the run leaves the listing, and its lock is free again.
    expect(await sweep(older)).toEqual({ won: false, run: swept.run });
    expect((await untilExpired([newer.id])).map((r) => r.id)).toEqual([newer.id]);
    const { runs: after } = await store.call("listExpiredLeases", { limit: 1000 }, INTERNAL);
    expect(after.map((r) => r.id)).not.toContain(older.id);
    await expect(newRun(store, t, { acquireLock: true })).resolves.toMatchObject({ status: RunStatus.RUN_STATUS_CREATED });
  });

  it("keeps a renewed lease away from the sweeper", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t, { leaseTtlMs: 1000 });
    await untilExpired([run.id]);
    // The owner comes back in time: the renewal wins and the sweeper's guard holds.
    expect((await renew(run.id, "replica-a", 60_000)).renewed).toBe(true);
    expect((await sweep(run)).won).toBe(false);
    expect((await getRun(t, run.id)).status).toBe(RunStatus.RUN_STATUS_CREATED);
  });

  it("names the bad field of a lease request", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t);
    const refusal = (field: string) => ({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });
    await expect(renew(run.id, "replica-a", 999)).rejects.toMatchObject(refusal("ttl_ms"));
    await expect(renew(run.id, "", 5000)).rejects.toMatchObject(refusal("owner"));
    await expect(store.call("listExpiredLeases", { limit: 1001 }, INTERNAL)).rejects.toMatchObject(refusal("limit"));
    await expect(store.call("listExpiredLeases", { limit: -1 }, INTERNAL)).rejects.toMatchObject(refusal("limit"));
    await expect(renew("run-00000000-0000-4000-8000-000000000000", "replica-a", 5000)).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "RUN_NOT_FOUND",
    });
    expect(await getRun(t, run.id)).toEqual(run);
  });
});
