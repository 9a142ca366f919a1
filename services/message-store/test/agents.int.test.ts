import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Agent, AgentType } from "@conduit/proto/agent/v1";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

describe.each(BACKENDS)("agents (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  it("creates an agent with defaults and its memory blocks, and reads it back", async () => {
    const { apiKey } = await store.newTenant();
    const input = Agent.fromPartial({
      name: "helper",
      system: "You are helpful.",
      memoryBlocks: [{ label: "persona", value: "kind", limit: 100 }, { label: "human", value: "" }],
    });
    const { agent } = await store.call("createAgent", { agent: input }, { apiKey });
    expect(agent).toMatchObject({ name: "helper", agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" });
    expect(agent!.id).toMatch(/^agent-[0-9a-f-]{36}$/);
    expect(agent!.memoryBlocks.map((b) => [b.label, b.value, b.limit])).toEqual([
      ["persona", "kind", 100],
      ["human", "", 20_000],
    ]);
    const got = await store.call("getAgent", { agentId: agent!.id }, { apiKey });
    expect(got.agent).toEqual(agent);
  });

  it("answers NOT_FOUND for another organization's agent", async () => {
    const owner = await store.newTenant();
    const other = await store.newTenant();
    const { agent } = await store.call("createAgent", { agent: Agent.fromPartial({ name: "mine" }) }, { apiKey: owner.apiKey });
    await expect(store.call("getAgent", { agentId: agent!.id }, { apiKey: other.apiKey })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "AGENT_NOT_FOUND",
      metadata: { agent_id: agent!.id },
    });
  });

  it("refuses a block whose value exceeds its limit, naming the field", async () => {
    const { apiKey } = await store.newTenant();
    const agent = Agent.fromPartial({ name: "x", memoryBlocks: [{ label: "persona", value: "too long", limit: 3 }] });
    await expect(store.call("createAgent", { agent }, { apiKey })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      metadata: { field: "agent.memory_blocks[0].value" },
    });
  });
});
