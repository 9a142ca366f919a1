import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import {
  Agent,
  AgentType,
  MessageRole,
  ReasoningEffort,
  RunStatus,
  StopReason,
  Tool,
  ToolExecutor,
  ToolRule,
} from "@conduit/proto/agent/v1";
import { CommitStepRequest, SortOrder, TransitionRunRequest } from "@conduit/proto/store/v1";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

/** What `fromPartial` accepts: any subset of the fields, at every depth (a oneof keeps its `$case`). */
type Fields<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? Fields<U>[]
    : T extends { $case: string }
      ? { [K in keyof T]: Fields<T[K]> }
      : T extends object
        ? { [K in keyof T]?: Fields<T[K]> }
        : T;

const lookup = Tool.fromPartial({
  name: "lookup",
  description: "Looks a thing up.",
  jsonSchema: { type: "object", properties: { q: { type: "string" } } },
  executor: ToolExecutor.TOOL_EXECUTOR_CLIENT,
});
const terminal = (toolName: string) => ToolRule.fromPartial({ rule: { $case: "terminal", value: { toolName } } });
const names = (agent: Agent | undefined) => agent!.tools.map((t) => t.name);
const MISSING_AGENT = "agent-00000000-0000-4000-8000-000000000000";

describe.each(BACKENDS)("agents (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  const create = (apiKey: string, agent: Fields<Agent>, includeBaseTools?: boolean) =>
    store.call("createAgent", { agent: Agent.fromPartial(agent), includeBaseTools }, { apiKey }).then((r) => r.agent!);
  const list = (apiKey: string, request: { nameContains?: string; limit?: number; pageToken?: string; order?: SortOrder } = {}) =>
    store.call("listAgents", { limit: 0, pageToken: "", order: SortOrder.SORT_ORDER_UNSPECIFIED, ...request }, { apiKey });
  const invalid = (field: string) => ({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });

  it("creates an agent with defaults and its memory blocks, and reads it back", async () => {
    const { apiKey } = await store.newTenant();
    const agent = await create(apiKey, {
      name: "helper",
      system: "You are helpful.",
      memoryBlocks: [{ label: "persona", value: "kind", limit: 100 }, { label: "human", value: "" }],
    });
    expect(agent).toMatchObject({ name: "helper", agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" });
    expect(agent.id).toMatch(/^agent-[0-9a-f-]{36}$/);
    expect(agent.memoryBlocks.map((b) => [b.label, b.value, b.limit])).toEqual([
      ["persona", "kind", 100],
      ["human", "", 20_000],
    ]);
    const got = await store.call("getAgent", { agentId: agent.id }, { apiKey });
    expect(got.agent).toEqual(agent);
  });

  it("adds the base tools of the agent's type, as BUILTIN tools with a description and a schema", async () => {
    const { apiKey } = await store.newTenant();
    const react = await create(apiKey, { name: "r" });
    expect(names(react)).toEqual(["memory_insert", "memory_replace", "conversation_search"]);
    for (const tool of react.tools) {
      expect(tool.executor).toBe(ToolExecutor.TOOL_EXECUTOR_BUILTIN);
      expect(tool.description).not.toBe("");
      expect(tool.jsonSchema).toMatchObject({ type: "object", properties: expect.any(Object) });
    }
    const memgpt = await create(apiKey, { name: "m", agentType: AgentType.AGENT_TYPE_MEMGPT, tools: [lookup] });
    expect(names(memgpt)).toEqual(["lookup", "memory_insert", "memory_replace", "conversation_search", "send_message"]);
    expect(memgpt.tools.find((t) => t.name === "send_message")!.jsonSchema).toMatchObject({ required: ["message"] });
  });

  it("adds no base tools when asked not to, and keeps a caller's tool that has a built-in name", async () => {
    const { apiKey } = await store.newTenant();
    expect(names(await create(apiKey, { name: "bare", agentType: AgentType.AGENT_TYPE_MEMGPT }, false))).toEqual([]);
    const own = { ...lookup, name: "memory_insert", description: "my own memory" };
    const agent = await create(apiKey, { name: "own", tools: [own] }, true);
    expect(names(agent)).toEqual(["memory_insert", "memory_replace", "conversation_search"]);
    expect(agent.tools[0]).toMatchObject({ description: "my own memory", executor: ToolExecutor.TOOL_EXECUTOR_CLIENT });
  });

  it("stores tool rules and model settings as given", async () => {
    const { apiKey } = await store.newTenant();
    const modelSettings = {
      temperature: 0.2,
      maxTokens: 512,
      reasoning: { setting: { $case: "effort" as const, value: ReasoningEffort.REASONING_EFFORT_LOW } },
      providerSettings: { top_p: 0.9 },
      fallbackModels: ["anthropic/claude-sonnet-4-5"],
    };
    const agent = await create(apiKey, {
      name: "ruled",
      model: "openai/gpt-4.1-mini",
      tools: [lookup],
      toolRules: [terminal("lookup"), ToolRule.fromPartial({ rule: { $case: "maxCountPerStep", value: { toolName: "memory_insert", maxCount: 2 } } })],
      modelSettings,
      metadata: { team: "support" },
    });
    const got = await store.call("getAgent", { agentId: agent.id }, { apiKey });
    expect(got.agent!.toolRules).toEqual(agent.toolRules);
    expect(got.agent!.toolRules[1]!.rule).toEqual({ $case: "maxCountPerStep", value: { toolName: "memory_insert", maxCount: 2 } });
    expect(got.agent!.modelSettings).toMatchObject(modelSettings);
    expect(got.agent!.metadata).toEqual({ team: "support" });
  });

  it("refuses bad tools, tool rules and model settings, naming the field, and creates nothing", async () => {
    const { apiKey } = await store.newTenant();
    const cases: [Fields<Agent>, string][] = [
      [{ memoryBlocks: [{ label: "persona", value: "too long", limit: 3 }] }, "agent.memory_blocks[0].value"],
      [{ memoryBlocks: [{ label: "a" }, { label: "a" }] }, "agent.memory_blocks[1].label"],
      [{ tools: [{ name: "made_up" }] }, "agent.tools[0].name"],
      [{ tools: [{ ...lookup, jsonSchema: undefined }] }, "agent.tools[0].json_schema"],
      [{ tools: [{ ...lookup, jsonSchema: { type: "string" } }] }, "agent.tools[0].json_schema"],
      [{ tools: [lookup, lookup] }, "agent.tools[1].name"],
      [{ tools: [{ ...lookup, executor: ToolExecutor.TOOL_EXECUTOR_EXTERNAL }] }, "agent.tools[0].external_endpoint"],
      [{ tools: [{ ...lookup, executor: 42 as ToolExecutor }] }, "agent.tools[0].executor"],
      [{ toolRules: [terminal("lookup")] }, "agent.tool_rules[0].terminal.tool_name"],
      [{ toolRules: [ToolRule.fromPartial({})] }, "agent.tool_rules[0]"],
      [
        { toolRules: [ToolRule.fromPartial({ rule: { $case: "maxCountPerStep", value: { toolName: "memory_insert", maxCount: 0 } } })] },
        "agent.tool_rules[0].max_count_per_step.max_count",
      ],
      [{ model: "gpt-4" }, "agent.model"],
      [{ modelSettings: { temperature: 5 } }, "agent.model_settings.temperature"],
      [{ modelSettings: { maxTokens: 0 } }, "agent.model_settings.max_tokens"],
      [{ modelSettings: { reasoning: { setting: { $case: "budgetTokens", value: -1 } } } }, "agent.model_settings.reasoning.budget_tokens"],
      [{ modelSettings: { fallbackModels: ["nope"] } }, "agent.model_settings.fallback_models[0]"],
      [
        { modelSettings: { responseFormat: { format: { $case: "jsonSchema", value: { name: "bad name!" } } } } },
        "agent.model_settings.response_format.json_schema.name",
      ],
      [{ modelSettings: { scripted: { turns: [{ actions: [{ action: { $case: "delayMs", value: -5 } }] }] } } }, "agent.model_settings.scripted.turns[0].actions[0].delay_ms"],
      [{ timezone: "Mars/Olympus" }, "agent.timezone"],
      [{ maxSteps: 5000 }, "agent.max_steps"],
      [{ agentType: 9 as AgentType }, "agent.agent_type"],
    ];
    for (const [fields, field] of cases) {
      await expect(create(apiKey, { name: "bad", ...fields }), field).rejects.toMatchObject(invalid(field));
    }
    await expect(create(apiKey, { name: "" })).rejects.toMatchObject(invalid("agent.name"));
    await expect(store.call("createAgent", { agent: undefined }, { apiKey })).rejects.toMatchObject(invalid("agent"));
    expect((await list(apiKey)).agents).toEqual([]);
  });

  it("answers NOT_FOUND for another organization's agent, and never lists it", async () => {
    const owner = await store.newTenant();
    const other = await store.newTenant();
    const agent = await create(owner.apiKey, { name: "mine" });
    const notFound = { code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND", metadata: { agent_id: agent.id } };
    await expect(store.call("getAgent", { agentId: agent.id }, { apiKey: other.apiKey })).rejects.toMatchObject(notFound);
    await expect(
      store.call("updateAgent", { agent: Agent.fromPartial({ id: agent.id, name: "stolen" }), updateMask: ["name"] }, { apiKey: other.apiKey }),
    ).rejects.toMatchObject(notFound);
    await expect(store.call("deleteAgent", { agentId: agent.id }, { apiKey: other.apiKey })).rejects.toMatchObject(notFound);
    expect((await list(other.apiKey)).agents).toEqual([]);
    expect((await store.call("getAgent", { agentId: agent.id }, { apiKey: owner.apiKey })).agent).toEqual(agent);
  });

  it("lists agents page by page in creation order, each exactly once, with their memory blocks", async () => {
    const { apiKey } = await store.newTenant();
    const created: Agent[] = [];
    for (let i = 0; i < 7; i++) created.push(await create(apiKey, { name: `agent ${i}`, memoryBlocks: [{ label: "n", value: `${i}` }, { label: "m" }] }));
    await create((await store.newTenant()).apiKey, { name: "agent of another organization" });

    for (const order of [SortOrder.SORT_ORDER_ASC, SortOrder.SORT_ORDER_DESC]) {
      const seen: Agent[] = [];
      let pageToken = "";
      do {
        const page = await list(apiKey, { limit: 3, pageToken, order });
        expect(page.agents.length).toBeLessThanOrEqual(3);
        seen.push(...page.agents);
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(order === SortOrder.SORT_ORDER_ASC ? created : [...created].reverse());
    }
    const all = await list(apiKey);
    expect(all).toEqual({ agents: created, nextPageToken: "" });
  });

  it("filters by name case-insensitively, taking % and _ literally", async () => {
    const { apiKey } = await store.newTenant();
    for (const name of ["Support Bot", "sales", "SUPPORT_2", "100% support", "helper_x", "supporter"]) await create(apiKey, { name });
    const filtered = async (nameContains: string) => {
      const found: string[] = [];
      let pageToken = "";
      do {
        const page = await list(apiKey, { nameContains, limit: 1, pageToken });
        found.push(...page.agents.map((a) => a.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return found;
    };
    expect(await filtered("support")).toEqual(["Support Bot", "SUPPORT_2", "100% support", "supporter"]);
    expect(await filtered("%")).toEqual(["100% support"]);
    expect(await filtered("_")).toEqual(["SUPPORT_2", "helper_x"]);
    expect(await filtered("T_2")).toEqual(["SUPPORT_2"]);
    expect(await filtered("")).toHaveLength(6);
  });

  it("refuses a bad page size, order or page token", async () => {
    const { apiKey } = await store.newTenant();
    await expect(list(apiKey, { limit: 1001 })).rejects.toMatchObject(invalid("limit"));
    await expect(list(apiKey, { limit: -1 })).rejects.toMatchObject(invalid("limit"));
    await expect(list(apiKey, { pageToken: "garbage" })).rejects.toMatchObject(invalid("page_token"));
    await expect(list(apiKey, { order: 7 as SortOrder })).rejects.toMatchObject(invalid("order"));
  });

  const update = (apiKey: string, agentId: string, fields: Fields<Agent>, updateMask: string[] | undefined) =>
    store.call("updateAgent", { agent: Agent.fromPartial({ ...fields, id: agentId }), updateMask }, { apiKey }).then((r) => r.agent!);

  it("replaces each updatable field named in the mask, reads no other, and bumps updated_at", async () => {
    const { apiKey } = await store.newTenant();
    const agent = await create(apiKey, { name: "before", tools: [lookup], memoryBlocks: [{ label: "persona", value: "x" }] });
    const changes: [string, keyof Agent, Fields<Agent>][] = [
      ["name", "name", { name: "after" }],
      ["description", "description", { description: "answers questions" }],
      ["agent_type", "agentType", { agentType: AgentType.AGENT_TYPE_MEMGPT }],
      ["system", "system", { system: "Be brief." }],
      ["tools", "tools", { tools: [lookup] }],
      ["tool_rules", "toolRules", { toolRules: [terminal("lookup")] }],
      ["model", "model", { model: "anthropic/claude-sonnet-4-5" }],
      ["model_settings", "modelSettings", { modelSettings: { temperature: 0.5, fallbackModels: ["openai/gpt-4.1-mini"] } }],
      ["timezone", "timezone", { timezone: "Europe/Paris" }],
      ["max_steps", "maxSteps", { maxSteps: 7 }],
      ["message_ids", "messageIds", { messageIds: [] }],
      ["metadata", "metadata", { metadata: { team: "support" } }],
    ];
    let previous = agent;
    for (const [path, key, fields] of changes) {
      // Fields outside the mask carry garbage: they must be neither checked nor written.
      const updated = await update(apiKey, agent.id, { name: "", maxSteps: -1, timezone: "nowhere", ...fields }, [path]);
      expect(updated[key], path).toEqual(Agent.fromPartial(fields)[key]);
      expect({ ...updated, [key]: undefined, updatedAt: undefined }, path).toEqual({ ...previous, [key]: undefined, updatedAt: undefined });
      expect(updated.updatedAt!.getTime(), path).toBeGreaterThan(previous.updatedAt!.getTime());
      expect(await store.call("getAgent", { agentId: agent.id }, { apiKey })).toEqual({ agent: updated });
      previous = updated;
    }
    expect(previous.memoryBlocks).toEqual(agent.memoryBlocks);
  });

  it("restores the defaults of cleared fields and fills in built-in tools named without a schema", async () => {
    const { apiKey } = await store.newTenant();
    const agent = await create(apiKey, { name: "a", agentType: AgentType.AGENT_TYPE_MEMGPT, maxSteps: 9, timezone: "Asia/Tokyo" });
    const cleared = await update(apiKey, agent.id, { tools: [{ name: "send_message" }] }, ["agent_type", "max_steps", "timezone", "tools"]);
    expect(cleared).toMatchObject({ agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" });
    expect(cleared.tools).toEqual([agent.tools.find((t) => t.name === "send_message")]);
  });

  it("sets the in-context message list to the agent's own messages only", async () => {
    const tenant = await store.newTenant();
    const { apiKey } = tenant;
    const agent = await create(apiKey, { name: "a" });
    const other = await create(apiKey, { name: "b" });
    const internal = { internal: true as const, organizationId: tenant.organizationId };
    const commit = async (agentId: string) => {
      const { run } = await store.call("createRun", { agentId, owner: "test", leaseTtlMs: 60_000, background: false, acquireLock: false, includeContext: false, running: false }, internal);
      const text = (t: string) => ({ part: { $case: "text" as const, value: { text: t } } });
      const { messages } = await store.call(
        "commitStep",
        CommitStepRequest.fromPartial({
          step: { runId: run!.id, stepNumber: 1 },
          messages: [
            { role: MessageRole.MESSAGE_ROLE_USER, content: [text("hi")], otid: `${agentId}-1` },
            { role: MessageRole.MESSAGE_ROLE_ASSISTANT, content: [text("hello")], otid: `${agentId}-2` },
          ],
        }),
        internal,
      );
      return messages.map((m) => m.id);
    };
    const [first, second] = await commit(agent.id);
    const [foreign] = await commit(other.id);
    const updated = await update(apiKey, agent.id, { messageIds: [second!, first!] }, ["message_ids"]);
    expect(updated.messageIds).toEqual([second, first]);
    await expect(update(apiKey, agent.id, { messageIds: [first!, foreign!] }, ["message_ids"])).rejects.toMatchObject(
      invalid("agent.message_ids[1]"),
    );
    await expect(update(apiKey, agent.id, { messageIds: [first!, first!] }, ["message_ids"])).rejects.toMatchObject(
      invalid("agent.message_ids[1]"),
    );
    expect((await store.call("getAgent", { agentId: agent.id }, { apiKey })).agent!.messageIds).toEqual([second, first]);
  });

  it("refuses an empty mask, a path it cannot update and a bad value, naming the field, and changes nothing", async () => {
    const { apiKey } = await store.newTenant();
    const agent = await create(apiKey, { name: "steady", tools: [lookup], toolRules: [terminal("lookup")] });
    const refusals: [Fields<Agent>, string[] | undefined, string][] = [
      [{ name: "x" }, [], "update_mask"],
      [{ name: "x" }, undefined, "update_mask"],
      [{ name: "x" }, ["name", "id"], "update_mask"],
      [{ name: "x" }, ["memory_blocks"], "update_mask"],
      [{ name: "x" }, ["created_at"], "update_mask"],
      [{ maxSteps: 3 }, ["maxSteps"], "update_mask"],
      [{ modelSettings: { temperature: 1 } }, ["model_settings.temperature"], "update_mask"],
      [{ name: "" }, ["name"], "agent.name"],
      [{ maxSteps: 5000 }, ["max_steps"], "agent.max_steps"],
      [{ modelSettings: { temperature: -1 } }, ["model_settings"], "agent.model_settings.temperature"],
      [{ tools: [] }, ["tools"], "agent.tools"],
      [{ toolRules: [terminal("send_message")] }, ["tool_rules"], "agent.tool_rules[0].terminal.tool_name"],
      [{ messageIds: ["message-00000000-0000-4000-8000-000000000000"] }, ["message_ids"], "agent.message_ids[0]"],
      [{ messageIds: ["not-an-id"] }, ["message_ids"], "agent.message_ids[0]"],
      [{ name: "x", tools: [{ name: "made_up" }] }, ["name", "tools"], "agent.tools[0].name"],
    ];
    for (const [fields, mask, field] of refusals) {
      await expect(update(apiKey, agent.id, fields, mask), `${mask} → ${field}`).rejects.toMatchObject(invalid(field));
    }
    await expect(
      store.call("updateAgent", { agent: Agent.fromPartial({ id: "agent-x", name: "x" }), updateMask: ["name"] }, { apiKey }),
    ).rejects.toMatchObject(invalid("agent.id"));
    await expect(update(apiKey, MISSING_AGENT, { name: "x" }, ["name"])).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND" });
    expect((await store.call("getAgent", { agentId: agent.id }, { apiKey })).agent).toEqual(agent);
  });

  it("deletes an agent with its memory blocks and runs; it is gone afterwards", async () => {
    const tenant = await store.newTenant();
    const { apiKey } = tenant;
    const agent = await create(apiKey, { name: "doomed", memoryBlocks: [{ label: "persona", value: "x" }] });
    const keep = await create(apiKey, { name: "kept" });
    const internal = { internal: true as const, organizationId: tenant.organizationId };
    const { run } = await store.call("createRun", { agentId: agent.id, owner: "test", leaseTtlMs: 60_000, background: false, acquireLock: true, includeContext: false, running: false }, internal);
    const ended = await store.call(
      "transitionRun",
      TransitionRunRequest.fromPartial({
        runId: run!.id,
        expectedStatus: RunStatus.RUN_STATUS_CREATED,
        newStatus: RunStatus.RUN_STATUS_CANCELLED,
        stopReason: StopReason.STOP_REASON_CANCELLED,
      }),
      internal,
    );
    expect(ended.won).toBe(true);

    await store.call("deleteAgent", { agentId: agent.id }, { apiKey });
    const gone = { code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND", metadata: { agent_id: agent.id } };
    await expect(store.call("getAgent", { agentId: agent.id }, { apiKey })).rejects.toMatchObject(gone);
    await expect(store.call("getMemoryBlock", { agentId: agent.id, label: "persona" }, { apiKey })).rejects.toMatchObject(gone);
    await expect(store.call("deleteAgent", { agentId: agent.id }, { apiKey })).rejects.toMatchObject(gone);
    await expect(store.call("getRun", { runId: run!.id }, { apiKey })).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "RUN_NOT_FOUND" });
    expect((await list(apiKey)).agents.map((a) => a.id)).toEqual([keep.id]);
  });

  it("refuses to delete an agent while one of its runs is active, naming the run, and deletes nothing", async () => {
    const tenant = await store.newTenant();
    const agent = await create(tenant.apiKey, { name: "busy", memoryBlocks: [{ label: "persona", value: "x" }] });
    const { run } = await store.call(
      "createRun",
      { agentId: agent.id, owner: "test", leaseTtlMs: 60_000, background: false, acquireLock: false, includeContext: false, running: false },
      { internal: true, organizationId: tenant.organizationId },
    );
    await expect(store.call("deleteAgent", { agentId: agent.id }, { apiKey: tenant.apiKey })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "CONVERSATION_BUSY",
      metadata: { active_run_id: run!.id },
    });
    expect((await store.call("getAgent", { agentId: agent.id }, { apiKey: tenant.apiKey })).agent).toEqual(agent);
  });

  it("refuses a malformed agent id, naming it", async () => {
    const { apiKey } = await store.newTenant();
    await expect(store.call("deleteAgent", { agentId: "agent-1" }, { apiKey })).rejects.toMatchObject(invalid("agent_id"));
    await expect(store.call("deleteAgent", { agentId: MISSING_AGENT }, { apiKey })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "AGENT_NOT_FOUND",
    });
  });
});
