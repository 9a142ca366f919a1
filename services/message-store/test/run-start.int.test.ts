import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { MemoryBlock, Message, MessageRole, RunStatus, StopReason } from "@conduit/proto/agent/v1";
import { CommitStepRequest, CreateRunRequest, ListRunsRequest, TransitionRunRequest } from "@conduit/proto/store/v1";
import { createRun as createRunFor } from "./support/runs.js";
import { BACKENDS, startStore, type AgentTenant, type StoreHarness } from "./support/store-harness.js";

const text = (t: string) => Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: t } } }] });

describe.each(BACKENDS)("starting a run (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  const createRun = (t: AgentTenant, partial: Partial<CreateRunRequest> = {}) => createRunFor(store, t, partial);
  const runsOf = async (t: AgentTenant) =>
    (await store.call("listRuns", ListRunsRequest.fromPartial({ agentId: t.agentId }), { apiKey: t.apiKey })).runs.map((r) => r.id);

  it("returns a created run with its agent and context window; a repeated key returns only the run", async () => {
    const t = await store.newAgentTenant();
    await store.call(
      "createMemoryBlock",
      { agentId: t.agentId, block: MemoryBlock.fromPartial({ label: "human", value: "Name: Ada" }) },
      { apiKey: t.apiKey },
    );
    const { messages } = await store.call("appendMessages", { agentId: t.agentId, messages: [text("one"), text("two")], addToContext: true }, { apiKey: t.apiKey });
    await store.call("appendMessages", { agentId: t.agentId, messages: [text("not in context")], addToContext: false }, { apiKey: t.apiKey });

    const started = await createRun(t, { acquireLock: true, includeContext: true, idempotencyKey: "k" });
    expect(started.created).toBe(true);
    expect(started.agent!.id).toBe(t.agentId);
    expect(started.agent!.memoryBlocks.map((b) => [b.label, b.value])).toEqual([["human", "Name: Ada"]]);
    // Field for field what GetAgent and ListContextMessages answer.
    expect(started.agent).toEqual((await store.call("getAgent", { agentId: t.agentId }, { apiKey: t.apiKey })).agent);
    expect(started.contextMessages).toEqual((await store.call("listContextMessages", { agentId: t.agentId }, { apiKey: t.apiKey })).messages);
    expect(started.contextMessages.map((m) => m.id)).toEqual(messages.map((m) => m.id));

    const again = await createRun(t, { acquireLock: true, includeContext: true, idempotencyKey: "k" });
    expect(again).toEqual({ run: started.run, created: false, agent: undefined, contextMessages: [] });
  });

  it("reads a conversation's own context window", async () => {
    const t = await store.newAgentTenant();
    await store.call("appendMessages", { agentId: t.agentId, messages: [text("default")], addToContext: true }, { apiKey: t.apiKey });
    const started = await createRun(t, { conversationId: "c1", acquireLock: true, includeContext: true });
    expect(started.agent!.id).toBe(t.agentId);
    expect(started.contextMessages).toEqual([]);
  });

  const discard = (runId: string, owner = "replica-a") => store.call("discardRun", { runId, owner }, { internal: true });

  it("discards a run that did nothing yet with its lock and its idempotency key, leaving nothing behind", async () => {
    const t = await store.newAgentTenant();
    const { run } = await createRun(t, { acquireLock: true, running: true, idempotencyKey: "refused" });
    expect(run!.status).toBe(RunStatus.RUN_STATUS_RUNNING);
    await expect(discard(run!.id)).resolves.toEqual({});
    expect(await runsOf(t)).toEqual([]);
    // The lock went with it, and the same input starts a new run.
    const next = await createRun(t, { acquireLock: true, idempotencyKey: "refused" });
    expect(next.created).toBe(true);
    expect(next.run!.id).not.toBe(run!.id);
    expect(await runsOf(t)).toEqual([next.run!.id]);
  });

  it("keeps a run that did a step, that ended, or that another replica owns; NOT_FOUND for an unknown one", async () => {
    const t = await store.newAgentTenant();
    const stepped = (await createRun(t, { conversationId: "a", acquireLock: true, running: true })).run!;
    await store.call("commitStep", CommitStepRequest.fromPartial({ step: { runId: stepped.id, stepNumber: 1 } }), t.internal);
    const ended = (await createRun(t, { conversationId: "b", acquireLock: true })).run!;
    await store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({ runId: ended.id, expectedStatus: RunStatus.RUN_STATUS_CREATED, newStatus: RunStatus.RUN_STATUS_CANCELLED, stopReason: StopReason.STOP_REASON_CANCELLED }),
      t.internal,
    );
    const others = (await createRun(t, { conversationId: "c", acquireLock: true, running: true })).run!;
    const started = (runId: string, status: string) => ({ code: Status.FAILED_PRECONDITION, reason: "RUN_STARTED", metadata: { run_id: runId, status } });
    await expect(discard(stepped.id)).rejects.toMatchObject(started(stepped.id, "RUN_STATUS_RUNNING"));
    await expect(discard(ended.id)).rejects.toMatchObject(started(ended.id, "RUN_STATUS_CANCELLED"));
    await expect(discard(others.id, "replica-b")).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "LEASE_NOT_HELD",
      metadata: { run_id: others.id, owner: "replica-a" },
    });
    expect((await runsOf(t)).sort()).toEqual([stepped.id, ended.id, others.id].sort());
    await expect(discard(`run-${randomUUID()}`)).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it("takes only agent-loop's credential", async () => {
    const t = await store.newAgentTenant();
    const { run } = await createRun(t, { acquireLock: true });
    await expect(store.call("discardRun", { runId: run!.id, owner: "replica-a" }, { apiKey: t.apiKey })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect(await runsOf(t)).toEqual([run!.id]);
  });
});
