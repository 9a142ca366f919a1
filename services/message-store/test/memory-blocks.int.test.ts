import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Agent, MemoryBlock } from "@conduit/proto/agent/v1";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

const MISSING_AGENT = "agent-00000000-0000-4000-8000-000000000000";

describe.each(BACKENDS)("memory blocks (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  /** A fresh tenant with an agent that has a `persona` block. */
  async function agentWithPersona(persona: Partial<MemoryBlock> = {}) {
    const { apiKey } = await store.newTenant();
    const { agent } = await store.call(
      "createAgent",
      { agent: Agent.fromPartial({ name: "a", memoryBlocks: [{ label: "persona", value: "calm", limit: 100, ...persona }] }) },
      { apiKey },
    );
    const agentId = agent!.id;
    return {
      apiKey,
      agentId,
      agent: agent!,
      create: (block: Partial<MemoryBlock>) =>
        store.call("createMemoryBlock", { agentId, block: MemoryBlock.fromPartial(block) }, { apiKey }).then((r) => r.block!),
      get: (label: string) => store.call("getMemoryBlock", { agentId, label }, { apiKey }).then((r) => r.block!),
      list: () => store.call("listMemoryBlocks", { agentId }, { apiKey }).then((r) => r.blocks),
      update: (label: string, block: Partial<MemoryBlock>, updateMask: string[]) =>
        store.call("updateMemoryBlock", { agentId, label, block: MemoryBlock.fromPartial(block), updateMask }, { apiKey }).then((r) => r.block!),
      remove: (label: string) => store.call("deleteMemoryBlock", { agentId, label }, { apiKey }),
      getAgent: () => store.call("getAgent", { agentId }, { apiKey }).then((r) => r.agent!),
    };
  }

  const blockNotFound = (label: string) => ({ code: Status.NOT_FOUND, reason: "BLOCK_NOT_FOUND", metadata: { label } });
  const labelExists = (label: string) => ({ code: Status.ALREADY_EXISTS, reason: "BLOCK_LABEL_EXISTS", metadata: { label } });
  const readOnly = (label: string) => ({ code: Status.FAILED_PRECONDITION, reason: "BLOCK_READ_ONLY", metadata: { label } });
  const tooLong = (label: string, limit: number, length: number) => ({
    code: Status.INVALID_ARGUMENT,
    reason: "BLOCK_LIMIT_EXCEEDED",
    metadata: { label, limit: String(limit), length: String(length) },
  });
  const invalid = (field: string) => ({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });

  it("creates blocks, with the default limit for 0, and reads them by label and in creation order", async () => {
    const a = await agentWithPersona();
    const human = await a.create({ label: "human", value: "likes tea", description: "the user" });
    expect(human).toMatchObject({ agentId: a.agentId, label: "human", value: "likes tea", limit: 20_000, description: "the user", readOnly: false });
    expect(human.id).toMatch(/^block-[0-9a-f-]{36}$/);
    const notes = await a.create({ label: "notes", limit: 50, readOnly: true });
    expect(await a.get("human")).toEqual(human);
    expect((await a.list()).map((b) => b.label)).toEqual(["persona", "human", "notes"]);
    const agent = await a.getAgent();
    expect(agent.memoryBlocks).toEqual(await a.list());
    expect(agent.memoryBlocks[2]).toEqual(notes);
    expect(agent.updatedAt!.getTime()).toBeGreaterThan(a.agent.updatedAt!.getTime());
  });

  it("refuses a label the agent has, and a value over the limit counted in code points, writing nothing", async () => {
    const a = await agentWithPersona();
    await expect(a.create({ label: "persona", value: "other" })).rejects.toMatchObject(labelExists("persona"));
    await expect(a.create({ label: "human", value: "abcd", limit: 3 })).rejects.toMatchObject(tooLong("human", 3, 4));
    await expect(a.create({ label: "human", value: "x".repeat(20_001) })).rejects.toMatchObject(tooLong("human", 20_000, 20_001));
    expect(await a.list()).toEqual(a.agent.memoryBlocks);
    expect(await a.getAgent()).toEqual(a.agent);
    expect((await a.create({ label: "human", value: "🙂🙂🙂", limit: 3 })).value).toBe("🙂🙂🙂");
  });

  it("lets exactly one of concurrent creations of one label win", async () => {
    const a = await agentWithPersona();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => a.create({ label: "human", value: `${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(r.reason).toMatchObject(labelExists("human"));
    expect((await a.list()).map((b) => b.label)).toEqual(["persona", "human"]);
  });

  it("updates the masked fields only, bumping the block's and the agent's updated_at", async () => {
    const a = await agentWithPersona({ description: "who I am" });
    const before = a.agent.memoryBlocks[0]!;
    const updated = await a.update("persona", { value: "cheerful", description: "ignored", limit: 1 }, ["value"]);
    expect(updated).toMatchObject({ id: before.id, label: "persona", value: "cheerful", limit: 100, description: "who I am" });
    expect(updated.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());
    expect(await a.get("persona")).toEqual(updated);
    const agent = await a.getAgent();
    expect(agent.updatedAt).toEqual(updated.updatedAt);

    const all = await a.update("persona", { label: "self", value: "", limit: 0, description: "me", readOnly: true }, [
      "label",
      "value",
      "limit",
      "description",
      "read_only",
    ]).catch((err: unknown) => err);
    expect(all).toMatchObject(readOnly("persona"));
    const renamed = await a.update("persona", { label: "self", limit: 0, description: "me", readOnly: true }, ["label", "limit", "description", "read_only"]);
    expect(renamed).toMatchObject({ id: before.id, label: "self", value: "cheerful", limit: 20_000, description: "me", readOnly: true });
    await expect(a.get("persona")).rejects.toMatchObject(blockNotFound("persona"));
    expect(await a.get("self")).toEqual(renamed);
  });

  it("refuses a value edit while the block is read-only as stored, even if the same request clears it", async () => {
    const a = await agentWithPersona({ readOnly: true });
    const stored = a.agent.memoryBlocks[0]!;
    await expect(a.update("persona", { value: "new" }, ["value"])).rejects.toMatchObject(readOnly("persona"));
    await expect(a.update("persona", { value: "new", readOnly: false }, ["value", "read_only"])).rejects.toMatchObject(readOnly("persona"));
    expect(await a.get("persona")).toEqual(stored);
    expect(await a.update("persona", { description: "still editable" }, ["description"])).toMatchObject({ readOnly: true, value: "calm" });
    await a.update("persona", { readOnly: false }, ["read_only"]);
    expect(await a.update("persona", { value: "new" }, ["value"])).toMatchObject({ value: "new", readOnly: false });
  });

  it("refuses a value edit in the request that makes the block read-only", async () => {
    const a = await agentWithPersona();
    await expect(a.update("persona", { value: "new", readOnly: true }, ["value", "read_only"])).rejects.toMatchObject(readOnly("persona"));
    expect(await a.get("persona")).toEqual(a.agent.memoryBlocks[0]);
  });

  it("refuses a value that does not fit the resulting limit, a lowered limit included", async () => {
    const a = await agentWithPersona({ value: "abc", limit: 10 });
    await expect(a.update("persona", { value: "x".repeat(11) }, ["value"])).rejects.toMatchObject(tooLong("persona", 10, 11));
    await expect(a.update("persona", { limit: 2 }, ["limit"])).rejects.toMatchObject(tooLong("persona", 2, 3));
    await expect(a.update("persona", { value: "x".repeat(30), limit: 20 }, ["value", "limit"])).rejects.toMatchObject(tooLong("persona", 20, 30));
    expect(await a.get("persona")).toEqual(a.agent.memoryBlocks[0]);
    expect(await a.update("persona", { value: "x".repeat(30), limit: 30 }, ["value", "limit"])).toMatchObject({ limit: 30 });
    expect(await a.update("persona", { value: "ab" }, ["value"])).toMatchObject({ value: "ab" });
    expect(await a.update("persona", { limit: 2 }, ["limit"])).toMatchObject({ value: "ab", limit: 2 });
  });

  it("refuses renaming onto an existing label, and allows renaming onto itself", async () => {
    const a = await agentWithPersona();
    const human = await a.create({ label: "human", value: "h" });
    await expect(a.update("persona", { label: "human" }, ["label"])).rejects.toMatchObject(labelExists("human"));
    expect(await a.list()).toEqual([a.agent.memoryBlocks[0], human]);
    expect(await a.update("persona", { label: "persona" }, ["label"])).toMatchObject({ label: "persona", value: "calm" });
  });

  it("deletes a block by label; it is gone and the others stay", async () => {
    const a = await agentWithPersona();
    const human = await a.create({ label: "human" });
    await a.remove("persona");
    await expect(a.get("persona")).rejects.toMatchObject(blockNotFound("persona"));
    await expect(a.remove("persona")).rejects.toMatchObject(blockNotFound("persona"));
    await expect(a.update("persona", { value: "x" }, ["value"])).rejects.toMatchObject(blockNotFound("persona"));
    expect(await a.list()).toEqual([human]);
    expect((await a.getAgent()).memoryBlocks).toEqual([human]);
  });

  it("answers AGENT_NOT_FOUND for another organization's agent on every block RPC, and changes nothing", async () => {
    const a = await agentWithPersona();
    const other = await store.newTenant();
    const as = { apiKey: other.apiKey };
    const notFound = { code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND", metadata: { agent_id: a.agentId } };
    const block = MemoryBlock.fromPartial({ label: "persona", value: "stolen" });
    await expect(store.call("getMemoryBlock", { agentId: a.agentId, label: "persona" }, as)).rejects.toMatchObject(notFound);
    await expect(store.call("listMemoryBlocks", { agentId: a.agentId }, as)).rejects.toMatchObject(notFound);
    await expect(store.call("createMemoryBlock", { agentId: a.agentId, block: { ...block, label: "x" } }, as)).rejects.toMatchObject(notFound);
    await expect(
      store.call("updateMemoryBlock", { agentId: a.agentId, label: "persona", block, updateMask: ["value"] }, as),
    ).rejects.toMatchObject(notFound);
    await expect(store.call("deleteMemoryBlock", { agentId: a.agentId, label: "persona" }, as)).rejects.toMatchObject(notFound);
    expect(await a.getAgent()).toEqual(a.agent);
    await expect(store.call("listMemoryBlocks", { agentId: MISSING_AGENT }, { apiKey: a.apiKey })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "AGENT_NOT_FOUND",
    });
  });

  it("refuses bad requests naming the field, and changes nothing", async () => {
    const a = await agentWithPersona();
    await expect(a.create({ label: "bad label" })).rejects.toMatchObject(invalid("block.label"));
    await expect(a.create({ label: "x", limit: -1 })).rejects.toMatchObject(invalid("block.limit"));
    await expect(store.call("createMemoryBlock", { agentId: a.agentId, block: undefined }, { apiKey: a.apiKey })).rejects.toMatchObject(
      invalid("block"),
    );
    await expect(a.get("")).rejects.toMatchObject(invalid("label"));
    await expect(store.call("getMemoryBlock", { agentId: "nope", label: "persona" }, { apiKey: a.apiKey })).rejects.toMatchObject(
      invalid("agent_id"),
    );
    await expect(a.update("persona", { value: "x" }, [])).rejects.toMatchObject(invalid("update_mask"));
    await expect(a.update("persona", { value: "x" }, ["value", "id"])).rejects.toMatchObject(invalid("update_mask"));
    await expect(a.update("persona", { readOnly: true }, ["readOnly"])).rejects.toMatchObject(invalid("update_mask"));
    await expect(a.update("persona", { label: "no spaces" }, ["label"])).rejects.toMatchObject(invalid("block.label"));
    await expect(a.update("persona", { limit: 2_000_000 }, ["limit"])).rejects.toMatchObject(invalid("block.limit"));
    // Fields outside the mask are not read, so they are not refused either.
    expect(await a.update("persona", { label: "no spaces", description: "d" }, ["description"])).toMatchObject({ label: "persona" });
    expect((await a.list()).map((b) => [b.label, b.value, b.limit])).toEqual([["persona", "calm", 100]]);
  });
});
