import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Agent, Message, MessageRole, RunStatus, StopReason, type Step, type Usage } from "@conduit/proto/agent/v1";
import { CommitStepRequest, CreateRunRequest, ListMessagesRequest, TransitionRunRequest } from "@conduit/proto/store/v1";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

/** A message as the agent loop writes it: its own id and otid, one text part. */
const message = (role: MessageRole, text: string, partial: Partial<Message> = {}) =>
  Message.fromPartial({
    id: `message-${randomUUID()}`,
    otid: randomUUID(),
    role,
    content: [{ part: { $case: "text", value: { text } } }],
    ...partial,
  });

describe.each(BACKENDS)("CommitStep (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  /** A tenant with an agent and a RUNNING run owned by replica-a. */
  async function runningRun(partial: Partial<CreateRunRequest> = {}) {
    const tenant = await store.newTenant();
    const { agent } = await store.call("createAgent", { agent: Agent.fromPartial({ name: "a" }) }, { apiKey: tenant.apiKey });
    const internal = { internal: true as const, organizationId: tenant.organizationId };
    const request = CreateRunRequest.fromPartial({ agentId: agent!.id, owner: "replica-a", leaseTtlMs: 60_000, ...partial });
    const { run } = await store.call("createRun", request, internal);
    const started = await store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({ runId: run!.id, expectedStatus: RunStatus.RUN_STATUS_CREATED, newStatus: RunStatus.RUN_STATUS_RUNNING }),
      internal,
    );
    return { ...tenant, agentId: agent!.id, internal, run: started.run! };
  }
  type Setup = Awaited<ReturnType<typeof runningRun>>;

  /** What a test varies in a commit; the step defaults to step 1 of the setup's run. */
  type Commit = {
    step?: Partial<Step>;
    messages?: Message[];
    inContextMessageIds?: { ids: string[] };
    expectedOwner?: string;
    endRun?: CommitStepRequest["endRun"];
  };
  const commit = (s: Setup, partial: Commit) =>
    store.call("commitStep", CommitStepRequest.fromPartial({ ...partial, step: { runId: s.run.id, stepNumber: 1, ...partial.step } }), s.internal);

  /** Everything a commit can change, read back over gRPC with the caller's key. */
  async function snapshot(s: Setup) {
    const asCaller = { apiKey: s.apiKey };
    const [steps, messages, context, run] = await Promise.all([
      store.call("listSteps", { runId: s.run.id }, asCaller),
      store.call("listMessages", ListMessagesRequest.fromPartial({ agentId: s.agentId }), asCaller),
      store.call("listContextMessages", { agentId: s.agentId, conversationId: s.run.conversationId }, asCaller),
      store.call("getRun", { runId: s.run.id }, asCaller),
    ]);
    return { steps: steps.steps, messages: messages.messages, context: context.messages.map((m) => m.id), run: run.run! };
  }

  it("writes the step, its messages under the run, the run's usage totals and the in-context list", async () => {
    const s = await runningRun({ conversationId: "conv-1" });
    const input = [message(MessageRole.MESSAGE_ROLE_USER, "hello"), message(MessageRole.MESSAGE_ROLE_ASSISTANT, "hi there")];
    const usage = { promptTokens: 100, completionTokens: 20, totalTokens: 120, stepCount: 0 };
    const first = await commit(s, { messages: input, step: { model: "openai/gpt-4.1-mini", usage } });

    const step = first.step!;
    expect(step).toMatchObject({ runId: s.run.id, agentId: s.agentId, stepNumber: 1, model: "openai/gpt-4.1-mini", usage: { stepCount: 1 } });
    expect(step.id).toMatch(/^step-[0-9a-f-]{36}$/);
    expect(first.messages.map((m) => [m.id, m.runId, m.stepId, m.conversationId])).toEqual(
      input.map((m) => [m.id, s.run.id, step.id, "conv-1"]),
    );
    expect(BigInt(first.messages[1]!.sequenceId)).toBeGreaterThan(BigInt(first.messages[0]!.sequenceId));
    expect(first.run!.usage).toEqual({ promptTokens: 100, completionTokens: 20, totalTokens: 120, stepCount: 1 });

    const reply = message(MessageRole.MESSAGE_ROLE_ASSISTANT, "more");
    const second = await commit(s, { messages: [reply], step: { stepNumber: 2, usage: { promptTokens: 150, reasoningTokens: 7, stepCount: 1 } } });
    const totals: Usage = { promptTokens: 250, completionTokens: 20, totalTokens: 120, reasoningTokens: 7, stepCount: 2 };
    expect(second.run!.usage).toEqual(totals);
    expect(second.run!.usage!.cachedInputTokens).toBeUndefined();

    const after = await snapshot(s);
    expect(after.steps.map((x) => [x.id, x.stepNumber])).toEqual([[step.id, 1], [second.step!.id, 2]]);
    expect(after.messages.map((m) => m.id)).toEqual([...input, reply].map((m) => m.id));
    expect(after.context).toEqual([...input, reply].map((m) => m.id));
    expect(after.run.usage).toEqual(totals);
  });

  it("ends the run in the same write when asked, releasing its lock", async () => {
    const s = await runningRun({ acquireLock: true });
    const error = { errorType: 2, message: "slow down", detail: "" };
    const res = await commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "hi")], endRun: { stopReason: StopReason.STOP_REASON_LLM_API_ERROR, error, ttftMs: 42 } });
    expect(res.runEnded).toBe(true);
    expect(res.run).toMatchObject({ status: RunStatus.RUN_STATUS_FAILED, stopReason: StopReason.STOP_REASON_LLM_API_ERROR, error, ttftMs: 42 });
    expect((await snapshot(s)).run.status).toBe(RunStatus.RUN_STATUS_FAILED);
    // The lock is free: another run of the agent takes it.
    const next = await store.call("createRun", CreateRunRequest.fromPartial({ agentId: s.agentId, owner: "replica-a", leaseTtlMs: 60_000, acquireLock: true }), s.internal);
    expect(next.created).toBe(true);
  });

  it("still writes the step but says the run did not end when it was not running", async () => {
    const s = await runningRun();
    const created = await store.call("createRun", CreateRunRequest.fromPartial({ agentId: s.agentId, owner: "replica-a", leaseTtlMs: 60_000 }), s.internal);
    const fresh = { ...s, run: created.run! };
    const res = await commit(fresh, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "hi")], endRun: { stopReason: StopReason.STOP_REASON_END_TURN, error: undefined } });
    expect(res.runEnded).toBe(false);
    expect(res.run?.status).toBe(RunStatus.RUN_STATUS_CREATED);
    expect((await snapshot(fresh)).steps).toHaveLength(1);
  });

  it("returns the stored step for a re-commit of its id and writes nothing", async () => {
    const s = await runningRun();
    const request = {
      step: { id: `step-${randomUUID()}`, usage: { promptTokens: 10, stepCount: 1 } },
      messages: [message(MessageRole.MESSAGE_ROLE_USER, "once")],
    };
    const first = await commit(s, request);
    const before = await snapshot(s);

    const again = await commit(s, request);
    expect(again).toEqual(first);
    const changed = await commit(s, { ...request, messages: [message(MessageRole.MESSAGE_ROLE_USER, "different")] });
    expect(changed.step).toEqual(first.step);
    expect(changed.messages).toEqual(first.messages);
    expect(await snapshot(s)).toEqual(before);
    expect(before.run.usage).toEqual({ promptTokens: 10, stepCount: 1 });
  });

  it("leaves nothing behind when the database refuses the step row after its messages were written", async () => {
    const s = await runningRun();
    await commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "first")], step: { usage: { promptTokens: 5, stepCount: 1 } } });
    const before = await snapshot(s);

    // Step number 1 is taken: the steps_run_number constraint fails after both messages are in.
    const lost = [message(MessageRole.MESSAGE_ROLE_ASSISTANT, "one"), message(MessageRole.MESSAGE_ROLE_ASSISTANT, "two")];
    await expect(commit(s, { messages: lost, step: { stepNumber: 1, usage: { promptTokens: 50, stepCount: 1 } } })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      metadata: { field: "step.step_number" },
    });

    const after = await snapshot(s);
    expect(after.steps).toEqual(before.steps);
    expect(after.messages).toEqual(before.messages);
    expect(after.context).toEqual(before.context);
    expect(after.run).toEqual(before.run);
    await expect(store.call("getMessage", { messageId: lost[0]!.id }, { apiKey: s.apiKey })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    // The same step commits once it is valid: nothing of the failed attempt was kept.
    const retried = await commit(s, { messages: lost, step: { stepNumber: 2 } });
    expect(retried.messages.map((m) => m.id)).toEqual(lost.map((m) => m.id));
  });

  it("leaves nothing behind when a message's id belongs to another message", async () => {
    const s = await runningRun();
    const stored = await commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "first")] });
    const before = await snapshot(s);

    const fresh = message(MessageRole.MESSAGE_ROLE_ASSISTANT, "fresh");
    const clash = message(MessageRole.MESSAGE_ROLE_ASSISTANT, "clash", { id: stored.messages[0]!.id });
    await expect(commit(s, { messages: [fresh, clash], step: { stepNumber: 2, usage: { promptTokens: 1, stepCount: 1 } } })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      metadata: { field: "messages[1].id" },
    });
    expect(await snapshot(s)).toEqual(before);
  });

  it("takes back the step, its messages and its usage when the last write of the commit fails", async () => {
    const s = await runningRun();
    await commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "first")] });
    const before = await snapshot(s);

    const written = message(MessageRole.MESSAGE_ROLE_ASSISTANT, "written, then taken back");
    const unknown = `message-${randomUUID()}`;
    await expect(
      commit(s, {
        messages: [written],
        step: { stepNumber: 2, usage: { promptTokens: 9, stepCount: 1 } },
        inContextMessageIds: { ids: [written.id, unknown] },
      }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "in_context_message_ids.ids[1]" } });
    expect(await snapshot(s)).toEqual(before);
  });

  it("replaces the in-context list when the step names it, and appends the step's messages otherwise", async () => {
    const s = await runningRun();
    const system = message(MessageRole.MESSAGE_ROLE_SYSTEM, "you are helpful");
    const user = message(MessageRole.MESSAGE_ROLE_USER, "question");
    await commit(s, { messages: [system, user] });
    expect((await snapshot(s)).context).toEqual([system.id, user.id]);

    const summary = message(MessageRole.MESSAGE_ROLE_USER, "summary of the conversation");
    await commit(s, { messages: [summary], step: { stepNumber: 2 }, inContextMessageIds: { ids: [system.id, summary.id] } });
    expect((await snapshot(s)).context).toEqual([system.id, summary.id]);
  });

  it("refuses a step for an ended run (RUN_ENDED) or from a replica that lost it (LEASE_NOT_HELD)", async () => {
    const s = await runningRun();
    const before = await snapshot(s);
    await expect(commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "x")], expectedOwner: "replica-b" })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "LEASE_NOT_HELD",
      metadata: { run_id: s.run.id, owner: "replica-a" },
    });
    expect(await snapshot(s)).toEqual(before);
    await expect(commit(s, { expectedOwner: "replica-a" })).resolves.toMatchObject({ run: { usage: { stepCount: 1 } } });

    await store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({
        runId: s.run.id,
        expectedStatus: RunStatus.RUN_STATUS_RUNNING,
        newStatus: RunStatus.RUN_STATUS_COMPLETED,
        stopReason: StopReason.STOP_REASON_END_TURN,
      }),
      s.internal,
    );
    const ended = await snapshot(s);
    await expect(commit(s, { messages: [message(MessageRole.MESSAGE_ROLE_USER, "late")], step: { stepNumber: 2 } })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "RUN_ENDED",
      metadata: { run_id: s.run.id },
    });
    expect(await snapshot(s)).toEqual(ended);
  });

  it("answers RUN_NOT_FOUND for another organization's run", async () => {
    const s = await runningRun();
    const other = await store.newTenant();
    const request = CommitStepRequest.fromPartial({
      step: { runId: s.run.id, stepNumber: 1 },
      messages: [message(MessageRole.MESSAGE_ROLE_USER, "x")],
    });
    await expect(store.call("commitStep", request, { internal: true, organizationId: other.organizationId })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "RUN_NOT_FOUND",
      metadata: { run_id: s.run.id },
    });
    expect((await snapshot(s)).steps).toEqual([]);
  });

  it("names the bad field of a refused step and writes nothing", async () => {
    const s = await runningRun();
    const before = await snapshot(s);
    const user = (partial: Partial<Message> = {}) => message(MessageRole.MESSAGE_ROLE_USER, "x", partial);
    const refusal = (field: string) => ({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });
    const bad: [Commit, string][] = [
      [{ step: { id: "step-1" } }, "step.id"],
      [{ step: { stepNumber: 0 } }, "step.step_number"],
      [{ step: { usage: { promptTokens: -1, stepCount: 1 } } }, "step.usage.prompt_tokens"],
      [{ messages: [user({ role: MessageRole.MESSAGE_ROLE_UNSPECIFIED })] }, "messages[0].role"],
      [{ messages: [user({ otid: "same" }), user({ otid: "same" })] }, "messages[1].otid"],
      [{ messages: [user({ content: [{ part: { $case: "text", value: { text: "nul \u0000" } } }] })] }, "messages[0]"],
      [{ messages: [user({ agentId: `agent-${randomUUID()}` })] }, "messages[0].agent_id"],
      [{ messages: [user({ conversationId: "elsewhere" })] }, "messages[0].conversation_id"],
      [{ inContextMessageIds: { ids: ["not-a-message"] } }, "in_context_message_ids.ids[0]"],
    ];
    for (const [partial, field] of bad) await expect(commit(s, partial)).rejects.toMatchObject(refusal(field));
    await expect(store.call("commitStep", CommitStepRequest.fromPartial({}), s.internal)).rejects.toMatchObject(refusal("step"));
    await expect(
      store.call("commitStep", CommitStepRequest.fromPartial({ step: { runId: s.run.id, stepNumber: 1 } }), { internal: true }),
    ).rejects.toMatchObject(refusal("conduit-organization-id"));
    expect(await snapshot(s)).toEqual(before);
  });
});
