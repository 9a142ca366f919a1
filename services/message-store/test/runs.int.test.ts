import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Agent, ErrorType, RunStatus, StopReason, type Run } from "@conduit/proto/agent/v1";
import { CreateRunRequest, ListRunsRequest, SortOrder, TransitionRunRequest } from "@conduit/proto/store/v1";
import { newRun } from "./support/runs.js";
import { BACKENDS, startStore, type AgentTenant, type StoreHarness } from "./support/store-harness.js";

const { RUN_STATUS_CREATED: CREATED, RUN_STATUS_RUNNING: RUNNING, RUN_STATUS_COMPLETED: COMPLETED } = RunStatus;
const { RUN_STATUS_FAILED: FAILED, RUN_STATUS_CANCELLED: CANCELLED } = RunStatus;

/** The stop reason that ends a run in each terminal status. */
const REASON_FOR = {
  [COMPLETED]: StopReason.STOP_REASON_END_TURN,
  [FAILED]: StopReason.STOP_REASON_LLM_API_ERROR,
  [CANCELLED]: StopReason.STOP_REASON_CANCELLED,
} as const;

describe.each(BACKENDS)("runs (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());



  const transition = (t: AgentTenant, partial: Partial<TransitionRunRequest>) =>
    store.call("transitionRun", TransitionRunRequest.fromPartial(partial), t.internal);

  async function runningRun(t: AgentTenant, partial: Partial<CreateRunRequest> = {}): Promise<Run> {
    const run = await newRun(store, t, partial);
    const moved = await transition(t, { runId: run.id, expectedStatus: CREATED, newStatus: RUNNING });
    expect(moved.won).toBe(true);
    return moved.run!;
  }

  const getRun = (t: AgentTenant, runId: string) => store.call("getRun", { runId }, { apiKey: t.apiKey }).then((r) => r.run!);
  const listRuns = (t: AgentTenant, partial: Partial<ListRunsRequest>) =>
    store.call("listRuns", ListRunsRequest.fromPartial(partial), { apiKey: t.apiKey });

  it("creates a run in CREATED owned by its owner with a lease, readable with the caller's key", async () => {
    const t = await store.newAgentTenant();
    const before = Date.now();
    const run = await newRun(store, t, { conversationId: "conv-1", background: true, leaseTtlMs: 30_000 });
    expect(run).toMatchObject({
      organizationId: t.organizationId,
      agentId: t.agentId,
      conversationId: "conv-1",
      status: CREATED,
      stopReason: StopReason.STOP_REASON_UNSPECIFIED,
      background: true,
      owner: "replica-a",
      usage: { stepCount: 0 },
    });
    expect(run.id).toMatch(/^run-[0-9a-f-]{36}$/);
    expect(run.usage?.promptTokens).toBeUndefined();
    expect(run.startedAt).toBeUndefined();
    const leaseMs = run.leaseExpiresAt!.getTime() - before;
    expect(leaseMs).toBeGreaterThan(25_000);
    expect(leaseMs).toBeLessThan(35_000);
    expect(await getRun(t, run.id)).toEqual(run);
  });

  it("returns the agent's run with the same idempotency key and writes nothing", async () => {
    const t = await store.newAgentTenant();
    const create = (owner: string) =>
      store.call("createRun", CreateRunRequest.fromPartial({ agentId: t.agentId, owner, leaseTtlMs: 5000, idempotencyKey: "otid-1" }), t.internal);
    const first = await create("replica-a");
    const again = await create("replica-b");
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.run).toEqual(first.run);
    expect((await listRuns(t, { agentId: t.agentId })).runs.map((r) => r.id)).toEqual([first.run!.id]);
  });

  it("moves CREATED → RUNNING, setting started_at, and RUNNING → RUNNING updates only the given fields", async () => {
    const t = await store.newAgentTenant();
    const created = await newRun(store, t);
    const started = await transition(t, { runId: created.id, expectedStatus: CREATED, newStatus: RUNNING });
    expect(started.won).toBe(true);
    expect(started.run).toMatchObject({ status: RUNNING, owner: "replica-a", leaseExpiresAt: created.leaseExpiresAt });
    expect(started.run!.startedAt).toBeInstanceOf(Date);

    const updated = await transition(t, { runId: created.id, expectedStatus: RUNNING, newStatus: RUNNING, ttftMs: 420 });
    expect(updated.won).toBe(true);
    expect(updated.run).toEqual({ ...started.run, ttftMs: 420, updatedAt: updated.run!.updatedAt });
  });

  it.each([
    ["CREATED", "FAILED", CREATED, FAILED],
    ["CREATED", "CANCELLED", CREATED, CANCELLED],
    ["RUNNING", "COMPLETED", RUNNING, COMPLETED],
    ["RUNNING", "FAILED", RUNNING, FAILED],
    ["RUNNING", "CANCELLED", RUNNING, CANCELLED],
  ] as const)("ends a run %s → %s with its facts, ending the lease", async (_from, _to, from, to) => {
    const t = await store.newAgentTenant();
    const run = from === RUNNING ? await runningRun(t) : await newRun(store, t);
    const ended = await transition(t, {
      runId: run.id,
      expectedStatus: from,
      newStatus: to,
      stopReason: REASON_FOR[to],
      usage: { promptTokens: 10, stepCount: 1 },
      error: to === FAILED ? { errorType: ErrorType.ERROR_TYPE_LLM_ERROR, message: "provider down", detail: "503" } : undefined,
    });
    expect(ended.won).toBe(true);
    expect(ended.run).toMatchObject({ status: to, stopReason: REASON_FOR[to], usage: { promptTokens: 10, stepCount: 1 } });
    expect(ended.run!.completedAt).toBeInstanceOf(Date);
    expect(ended.run!.leaseExpiresAt).toBeUndefined();
    if (to === FAILED) expect(ended.run!.error).toEqual({ errorType: ErrorType.ERROR_TYPE_LLM_ERROR, message: "provider down", detail: "503" });
    expect(await getRun(t, run.id)).toEqual(ended.run);
  });

  it.each([
    ["CREATED → COMPLETED", CREATED, COMPLETED, StopReason.STOP_REASON_END_TURN],
    ["RUNNING → CREATED", RUNNING, CREATED, StopReason.STOP_REASON_UNSPECIFIED],
    ["CREATED → CREATED", CREATED, CREATED, StopReason.STOP_REASON_UNSPECIFIED],
    ["a stop reason of another status", RUNNING, FAILED, StopReason.STOP_REASON_END_TURN],
    ["a terminal status without a stop reason", RUNNING, COMPLETED, StopReason.STOP_REASON_UNSPECIFIED],
    ["a stop reason on an active status", CREATED, RUNNING, StopReason.STOP_REASON_END_TURN],
  ] as const)("refuses %s as INVALID_TRANSITION and leaves the run as it was", async (_name, from, to, stopReason) => {
    const t = await store.newAgentTenant();
    const run = from === RUNNING ? await runningRun(t) : await newRun(store, t);
    await expect(transition(t, { runId: run.id, expectedStatus: from, newStatus: to, stopReason })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "INVALID_TRANSITION",
      metadata: { from: RunStatus[from], to: RunStatus[to] },
    });
    expect(await getRun(t, run.id)).toEqual(run);
  });

  it.each(["COMPLETED", "FAILED", "CANCELLED"] as const)("keeps a %s run final: every later transition is refused or loses", async (name) => {
    const t = await store.newAgentTenant();
    const terminal = RunStatus[`RUN_STATUS_${name}`];
    const run = await runningRun(t);
    const ended = (await transition(t, { runId: run.id, expectedStatus: RUNNING, newStatus: terminal, stopReason: REASON_FOR[terminal] })).run!;
    const reasonFor = (to: RunStatus) => (to === RUNNING ? StopReason.STOP_REASON_UNSPECIFIED : REASON_FOR[to as keyof typeof REASON_FOR]);
    // A caller that knows the run ended is refused outright...
    for (const to of [RUNNING, COMPLETED, FAILED, CANCELLED]) {
      await expect(transition(t, { runId: run.id, expectedStatus: terminal, newStatus: to, stopReason: reasonFor(to) })).rejects.toMatchObject({
        code: Status.FAILED_PRECONDITION,
        reason: "INVALID_TRANSITION",
      });
    }
    // ...and one that still believes it active loses every move the state machine allows.
    const allowed = [
      [CREATED, RUNNING],
      [CREATED, FAILED],
      [CREATED, CANCELLED],
      [RUNNING, RUNNING],
      [RUNNING, COMPLETED],
      [RUNNING, FAILED],
      [RUNNING, CANCELLED],
    ] as const;
    for (const [believed, to] of allowed) {
      const lost = await transition(t, { runId: run.id, expectedStatus: believed, newStatus: to, stopReason: reasonFor(to), ttftMs: 1 });
      expect(lost).toEqual({ won: false, run: ended });
    }
    expect(await getRun(t, run.id)).toEqual(ended);
  });

  it("reports the winner to the loser of two concurrent transitions", async () => {
    const t = await store.newAgentTenant();
    for (let i = 0; i < 5; i++) {
      const run = await runningRun(t);
      const [complete, cancel] = await Promise.all([
        transition(t, { runId: run.id, expectedStatus: RUNNING, newStatus: COMPLETED, stopReason: StopReason.STOP_REASON_END_TURN }),
        transition(t, { runId: run.id, expectedStatus: RUNNING, newStatus: CANCELLED, stopReason: StopReason.STOP_REASON_CANCELLED }),
      ]);
      expect([complete.won, cancel.won].filter(Boolean)).toHaveLength(1);
      const [winner, loser] = complete.won ? [complete, cancel] : [cancel, complete];
      expect(loser.run).toMatchObject({ status: winner.run!.status, stopReason: winner.run!.stopReason });
      expect(loser.run).toEqual(winner.run);
      expect(await getRun(t, run.id)).toEqual(winner.run);
    }
  });

  it("applies a transition only for the expected owner, and hands a run to a new owner with a fresh lease", async () => {
    const t = await store.newAgentTenant();
    const run = await runningRun(t);
    const wrongOwner = await transition(t, { runId: run.id, expectedStatus: RUNNING, newStatus: RUNNING, expectedOwner: "replica-x", ttftMs: 5 });
    expect(wrongOwner).toEqual({ won: false, run });

    const before = Date.now();
    const handed = await transition(t, {
      runId: run.id,
      expectedStatus: RUNNING,
      newStatus: RUNNING,
      expectedOwner: "replica-a",
      owner: "replica-b",
      leaseTtlMs: 10_000,
    });
    expect(handed.won).toBe(true);
    expect(handed.run!.owner).toBe("replica-b");
    expect(handed.run!.leaseExpiresAt!.getTime() - before).toBeGreaterThan(5_000);
    expect(handed.run!.leaseExpiresAt!.getTime() - before).toBeLessThan(15_000);
    expect(handed.run!.startedAt).toEqual(run.startedAt);
  });

  it("lists runs by agent, conversation, status, activity and background flag, newest first unless asked", async () => {
    const t = await store.newAgentTenant();
    const { agent: other } = await store.call("createAgent", { agent: Agent.fromPartial({ name: "b" }) }, { apiKey: t.apiKey });
    const a1 = await newRun(store, t);
    const a2 = await runningRun(t, { conversationId: "conv-1", background: true });
    const a3 = await newRun(store, t, { conversationId: "conv-1" });
    await transition(t, { runId: a3.id, expectedStatus: CREATED, newStatus: CANCELLED, stopReason: StopReason.STOP_REASON_CANCELLED });
    const b1 = await newRun(store, t, { agentId: other!.id, background: true });
    const ids = async (partial: Partial<ListRunsRequest>) => (await listRuns(t, partial)).runs.map((r) => r.id);

    expect(await ids({})).toEqual([b1.id, a3.id, a2.id, a1.id]);
    expect(await ids({ order: SortOrder.SORT_ORDER_ASC })).toEqual([a1.id, a2.id, a3.id, b1.id]);
    expect(await ids({ agentId: t.agentId })).toEqual([a3.id, a2.id, a1.id]);
    expect(await ids({ conversationId: "conv-1" })).toEqual([a3.id, a2.id]);
    expect(await ids({ statuses: [CANCELLED, RUNNING] })).toEqual([a3.id, a2.id]);
    expect(await ids({ activeOnly: true })).toEqual([b1.id, a2.id, a1.id]);
    expect(await ids({ activeOnly: true, statuses: [RUNNING, CANCELLED] })).toEqual([a2.id]);
    expect(await ids({ background: true })).toEqual([b1.id, a2.id]);
    expect(await ids({ background: false, agentId: t.agentId })).toEqual([a3.id, a1.id]);
  });

  it("pages through runs with opaque tokens, each run exactly once, in both orders", async () => {
    const t = await store.newAgentTenant();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await newRun(store, t)).id);
    for (const order of [SortOrder.SORT_ORDER_DESC, SortOrder.SORT_ORDER_ASC]) {
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await listRuns(t, { agentId: t.agentId, limit: 3, pageToken, order });
        expect(page.runs.length).toBeLessThanOrEqual(3);
        seen.push(...page.runs.map((r) => r.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(order === SortOrder.SORT_ORDER_ASC ? created : [...created].reverse());
    }
  });

  it("takes only the internal credential for run control; callers may read runs and steps", async () => {
    const t = await store.newAgentTenant();
    const run = await newRun(store, t);
    const asCaller = { apiKey: t.apiKey };
    const refused = await Promise.allSettled([
      store.call("createRun", CreateRunRequest.fromPartial({ agentId: t.agentId, owner: "x", leaseTtlMs: 5000 }), asCaller),
      store.call("transitionRun", TransitionRunRequest.fromPartial({ runId: run.id, expectedStatus: CREATED, newStatus: RUNNING }), asCaller),
      store.call("acquireRunLock", { runId: run.id }, asCaller),
      store.call("releaseRunLock", { runId: run.id }, asCaller),
      store.call("renewLease", { runId: run.id, owner: "replica-a", ttlMs: 5000 }, asCaller),
      store.call("listExpiredLeases", { limit: 0 }, asCaller),
      store.call("commitStep", { step: undefined, messages: [], inContextMessageIds: undefined, endRun: undefined }, asCaller),
    ]);
    for (const outcome of refused) {
      expect(outcome).toMatchObject({ status: "rejected", reason: { code: Status.PERMISSION_DENIED, reason: "INTERNAL_CREDENTIAL_REQUIRED" } });
    }
    expect(await getRun(t, run.id)).toEqual(run);
    expect((await listRuns(t, {})).runs).toEqual([run]);
    expect((await store.call("listSteps", { runId: run.id }, asCaller)).steps).toEqual([]);
  });

  it("answers NOT_FOUND for another organization's run and agent", async () => {
    const owner = await store.newAgentTenant();
    const other = await store.newAgentTenant();
    const run = await newRun(store, owner);
    await expect(getRun(other, run.id)).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "RUN_NOT_FOUND", metadata: { run_id: run.id } });
    await expect(store.call("listSteps", { runId: run.id }, { apiKey: other.apiKey })).rejects.toMatchObject({ reason: "RUN_NOT_FOUND" });
    await expect(listRuns(other, { agentId: owner.agentId })).rejects.toMatchObject({ reason: "AGENT_NOT_FOUND" });
    await expect(newRun(store, other, { agentId: owner.agentId })).rejects.toMatchObject({ reason: "AGENT_NOT_FOUND" });
    expect((await listRuns(other, {})).runs.map((r) => r.id)).toEqual([]);
    expect((await listRuns(owner, {})).runs.map((r) => r.id)).toEqual([run.id]);
  });

  it("names the bad field of a refused request and writes nothing", async () => {
    const t = await store.newAgentTenant();
    const refusal = (field: string) => ({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });
    await expect(newRun(store, t, { leaseTtlMs: 999 })).rejects.toMatchObject(refusal("lease_ttl_ms"));
    await expect(newRun(store, t, { owner: "" })).rejects.toMatchObject(refusal("owner"));
    await expect(newRun(store, t, { agentId: "agent-1" })).rejects.toMatchObject(refusal("agent_id"));
    await expect(newRun(store, t, { conversationId: "" })).rejects.toMatchObject(refusal("conversation_id"));
    await expect(
      store.call("createRun", CreateRunRequest.fromPartial({ agentId: t.agentId, owner: "x", leaseTtlMs: 5000 }), { internal: true }),
    ).rejects.toMatchObject(refusal("conduit-organization-id"));
    expect((await listRuns(t, {})).runs).toEqual([]);

    const run = await newRun(store, t);
    await expect(transition(t, { runId: run.id, expectedStatus: CREATED, newStatus: RUNNING, owner: "replica-b" })).rejects.toMatchObject(
      refusal("lease_ttl_ms"),
    );
    await expect(transition(t, { runId: run.id, expectedStatus: RunStatus.RUN_STATUS_UNSPECIFIED, newStatus: RUNNING })).rejects.toMatchObject(
      refusal("expected_status"),
    );
    await expect(transition(t, { runId: run.id, expectedStatus: CREATED, newStatus: 42 as RunStatus })).rejects.toMatchObject(refusal("new_status"));
    await expect(transition(t, { runId: "run-x", expectedStatus: CREATED, newStatus: RUNNING })).rejects.toMatchObject(refusal("run_id"));
    expect(await getRun(t, run.id)).toEqual(run);

    await expect(listRuns(t, { limit: 1001 })).rejects.toMatchObject(refusal("limit"));
    await expect(listRuns(t, { pageToken: "not-a-token" })).rejects.toMatchObject(refusal("page_token"));
    await expect(listRuns(t, { statuses: [RunStatus.RUN_STATUS_UNSPECIFIED] })).rejects.toMatchObject(refusal("statuses[0]"));
    const unknown = "run-00000000-0000-4000-8000-000000000000";
    await expect(transition(t, { runId: unknown, expectedStatus: CREATED, newStatus: RUNNING })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "RUN_NOT_FOUND",
    });
  });
});
