import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Agent, Message, MessageRole, RunStatus, StopReason } from "@conduit/proto/agent/v1";
import { CommitStepRequest, CreateRunRequest, ListRunsRequest, TransitionRunRequest } from "@conduit/proto/store/v1";
import { createRun as createRunFor, newRun } from "./support/runs.js";
import { BACKENDS, startStore, type AgentTenant, type StoreHarness } from "./support/store-harness.js";

const CONTENDERS = 20;

describe.each(BACKENDS)("run locks (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  const createRun = (t: AgentTenant, partial: Partial<CreateRunRequest> = {}) => createRunFor(store, t, partial);
  const acquire = (runId: string) => store.call("acquireRunLock", { runId }, { internal: true });
  const release = (runId: string) => store.call("releaseRunLock", { runId }, { internal: true });
  const busyWith = (activeRunId: string) => ({
    code: Status.FAILED_PRECONDITION,
    reason: "CONVERSATION_BUSY",
    metadata: { active_run_id: activeRunId },
  });

  /** Splits settled calls into the one that won and the refusals. */
  function outcome<T>(settled: PromiseSettledResult<T>[]) {
    const won = settled.filter((s): s is PromiseFulfilledResult<T> => s.status === "fulfilled").map((s) => s.value);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason as unknown);
    return { won, refused };
  }

  it(`lets exactly one of ${CONTENDERS} concurrent acquirers win and tells the others its id`, async () => {
    const t = await store.newAgentTenant();
    const runs = await Promise.all(Array.from({ length: CONTENDERS }, () => newRun(store, t)));
    const { won, refused } = outcome(await Promise.allSettled(runs.map((r) => acquire(r.id))));
    expect(won).toHaveLength(1);
    const winner = won[0]!.run!;
    expect(runs.map((r) => r.id)).toContain(winner.id);
    expect(refused).toHaveLength(CONTENDERS - 1);
    for (const err of refused) expect(err).toMatchObject(busyWith(winner.id));
  });

  it(`writes exactly one run for ${CONTENDERS} concurrent CreateRun calls that take the lock`, async () => {
    const t = await store.newAgentTenant();
    const calls = Array.from({ length: CONTENDERS }, () => createRun(t, { acquireLock: true }));
    const { won, refused } = outcome(await Promise.allSettled(calls));
    expect(won).toHaveLength(1);
    const winner = won[0]!.run!;
    expect(refused).toHaveLength(CONTENDERS - 1);
    for (const err of refused) expect(err).toMatchObject(busyWith(winner.id));
    const listed = await store.call("listRuns", ListRunsRequest.fromPartial({ agentId: t.agentId }), { apiKey: t.apiKey });
    expect(listed.runs.map((r) => r.id)).toEqual([winner.id]);
    // The winner holds the lock: taking it again is success.
    expect((await acquire(winner.id)).run!.id).toBe(winner.id);
  });

  it("locks each conversation independently of the others and of the default conversation", async () => {
    const t = await store.newAgentTenant();
    const inDefault = await newRun(store, t, { acquireLock: true });
    const inA = await newRun(store, t, { conversationId: "conv-a", acquireLock: true });
    const inB = await newRun(store, t, { conversationId: "conv-b" });
    await acquire(inB.id);

    const secondInA = await newRun(store, t, { conversationId: "conv-a" });
    await expect(acquire(secondInA.id)).rejects.toMatchObject(busyWith(inA.id));
    const secondInDefault = await newRun(store, t);
    await expect(acquire(secondInDefault.id)).rejects.toMatchObject(busyWith(inDefault.id));
    await expect(createRun(t, { conversationId: "conv-b", acquireLock: true })).rejects.toMatchObject(busyWith(inB.id));

    // Another agent's default conversation is its own.
    const { agent: other } = await store.call("createAgent", { agent: Agent.fromPartial({ name: "b" }) }, { apiKey: t.apiKey });
    await expect(newRun(store, t, { agentId: other!.id, acquireLock: true })).resolves.toMatchObject({ agentId: other!.id });
  });

  it("re-acquires a lock the run holds, releases idempotently, and lets the next run in", async () => {
    const t = await store.newAgentTenant();
    const first = await newRun(store, t, { acquireLock: true });
    const next = await newRun(store, t);
    expect((await acquire(first.id)).run).toEqual(first);
    await expect(acquire(next.id)).rejects.toMatchObject(busyWith(first.id));

    expect(await release(next.id)).toEqual({ released: false });
    expect(await release(first.id)).toEqual({ released: true });
    expect(await release(first.id)).toEqual({ released: false });
    expect((await acquire(next.id)).run!.id).toBe(next.id);
    await expect(acquire(first.id)).rejects.toMatchObject(busyWith(next.id));
  });

  it("releases the lock when the run ends, and refuses the lock to an ended run with RUN_ENDED", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t, { acquireLock: true });
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
    expect(ended.won).toBe(true);
    expect(await release(run.id)).toEqual({ released: false });
    await expect(newRun(store, t, { acquireLock: true })).resolves.toMatchObject({ status: RunStatus.RUN_STATUS_CREATED });
    await expect(acquire(run.id)).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "RUN_ENDED",
      metadata: { run_id: run.id },
    });
  });

  it("returns the existing run for a repeated idempotency key without touching the lock", async () => {
    const t = await store.newAgentTenant();
    const first = await createRun(t, { idempotencyKey: "k", acquireLock: true });
    const again = await createRun(t, { idempotencyKey: "k", acquireLock: true });
    expect(again).toEqual({ run: first.run, created: false, agent: undefined, contextMessages: [] });
    expect(await release(first.run!.id)).toEqual({ released: true });
  });

  it("never deadlocks or leaves an ended run holding the lock while acquirers, commits and ends race", async () => {
    const t = await store.newAgentTenant();
    const internal = t.internal;
    for (let round = 0; round < 3; round++) {
      const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => newRun(store, t, { conversationId: i % 2 ? "conv-a" : undefined })));
      for (const run of runs) {
        const start = { runId: run.id, expectedStatus: RunStatus.RUN_STATUS_CREATED, newStatus: RunStatus.RUN_STATUS_RUNNING };
        await store.call("transitionRun", TransitionRunRequest.fromPartial(start), internal);
      }
      const end = (runId: string) =>
        TransitionRunRequest.fromPartial({
          runId,
          expectedStatus: RunStatus.RUN_STATUS_RUNNING,
          newStatus: RunStatus.RUN_STATUS_CANCELLED,
          stopReason: StopReason.STOP_REASON_CANCELLED,
        });
      const step = (runId: string, stepNumber: number) =>
        CommitStepRequest.fromPartial({ step: { runId, stepNumber }, messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER })] });
      const settled = await Promise.allSettled(
        runs.flatMap((run) => [
          acquire(run.id),
          store.call("commitStep", step(run.id, 1), internal),
          store.call("commitStep", step(run.id, 2), internal),
          store.call("transitionRun", end(run.id), internal),
          store.call("renewLease", { runId: run.id, owner: "replica-a", ttlMs: 60_000 }, internal),
        ]),
      );
      // Losing a race is an answer; a deadlock or any other failure is not.
      const failures = outcome(settled).refused.filter((e) => !["CONVERSATION_BUSY", "RUN_ENDED"].includes((e as { reason: string }).reason));
      expect(failures).toEqual([]);
      for (const run of runs) expect(await release(run.id)).toEqual({ released: false });
    }
  });

  it("answers RUN_NOT_FOUND for unknown runs and names a bad run id", async () => {
    const unknown = "run-00000000-0000-4000-8000-000000000000";
    await expect(acquire(unknown)).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "RUN_NOT_FOUND", metadata: { run_id: unknown } });
    await expect(release(unknown)).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "RUN_NOT_FOUND" });
    await expect(acquire("not-a-run")).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "run_id" } });
  });
});
