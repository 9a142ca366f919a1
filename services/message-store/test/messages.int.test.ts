import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Message, MessageRole, ToolReturnStatus } from "@conduit/proto/agent/v1";
import { SortOrder } from "@conduit/proto/store/v1";
import { listAll, newAgent, textMessage, userMessage } from "./support/messages.js";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

const { MESSAGE_ROLE_SYSTEM: SYSTEM, MESSAGE_ROLE_USER: USER, MESSAGE_ROLE_ASSISTANT: ASSISTANT } = MessageRole;
const { MESSAGE_ROLE_TOOL: TOOL, MESSAGE_ROLE_APPROVAL: APPROVAL } = MessageRole;

const toolMessage = (extra: Partial<Message> = {}) =>
  Message.fromPartial({
    role: TOOL,
    otid: randomUUID(),
    toolCallId: "call_1",
    toolReturns: [{ toolCallId: "call_1", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [{ part: { $case: "text", value: { text: "42" } } }] }],
    ...extra,
  });

const approvalMessage = () =>
  Message.fromPartial({
    role: APPROVAL,
    otid: randomUUID(),
    approvals: [{ approval: { $case: "decision", value: { toolCallId: "call_1", approve: false, reason: "no" } } }],
  });

const texts = (messages: Message[]) => messages.map((m) => (m.content[0]?.part?.$case === "text" ? m.content[0].part.value.text : ""));

describe.each(BACKENDS)("messages (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  async function tenantWithAgent() {
    const tenant = await store.newTenant();
    return { ...tenant, agentId: await newAgent(store, tenant.apiKey) };
  }

  it("appends a batch in order with store-assigned ids and increasing sequence ids, and gets each back", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const ownId = `message-${randomUUID()}`;
    const input = [userMessage("hi", { id: ownId, name: "ann" }), textMessage(ASSISTANT, "hello", { model: "openai/gpt-4.1-mini" }), toolMessage()];
    const { messages } = await store.call("appendMessages", { agentId, messages: input, addToContext: false }, { apiKey });

    expect(messages.map((m) => [m.role, m.agentId, m.otid])).toEqual(input.map((m) => [m.role, agentId, m.otid]));
    expect(messages[0]!.id).toBe(ownId);
    expect(messages[1]!.id).toMatch(/^message-[0-9a-f-]{36}$/);
    const sequence = messages.map((m) => BigInt(m.sequenceId));
    expect(sequence[0]! < sequence[1]! && sequence[1]! < sequence[2]!).toBe(true);
    expect(messages[2]!.toolReturns).toEqual(input[2]!.toolReturns);
    for (const m of messages) {
      expect(m.createdAt).toBeInstanceOf(Date);
      expect(m.updatedAt).toBeUndefined();
      expect((await store.call("getMessage", { messageId: m.id }, { apiKey })).message).toEqual(m);
    }
  });

  it("stores quotes, backslashes, braces, commas and non-ASCII text exactly", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const tricky = `"quoted", back\\slash {braces} 'single' NULL ∅ 日本語 \u{1F600} \\"}`;
    const input = [userMessage(tricky, { name: tricky.slice(0, 100), conversationId: `{c,"1"}\\` }), userMessage("", { conversationId: `{c,"1"}\\` })];
    const { messages } = await store.call("appendMessages", { agentId, messages: input, addToContext: true }, { apiKey });
    const got = (await store.call("getMessage", { messageId: messages[0]!.id }, { apiKey })).message!;
    expect(got.content).toEqual(input[0]!.content);
    expect(got.name).toBe(input[0]!.name);
    expect(got.conversationId).toBe(input[0]!.conversationId);
    expect(texts(await listAll(store, apiKey, { agentId, conversationId: input[0]!.conversationId! }))).toEqual([tricky, ""]);
  });

  it("is idempotent by otid: a re-append returns the stored rows and writes nothing, also mixed with new otids", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const first = [userMessage("one"), userMessage("two")];
    const stored = (await store.call("appendMessages", { agentId, messages: first, addToContext: true }, { apiKey })).messages;

    const again = await store.call("appendMessages", { agentId, messages: first, addToContext: true }, { apiKey });
    expect(again.messages).toEqual(stored);

    // The stored row wins over a re-sent otid with different content; the new otid is written.
    const changed = { ...first[1]!, content: [{ part: { $case: "text" as const, value: { text: "changed" } } }] };
    const fresh = userMessage("three");
    const mixed = await store.call("appendMessages", { agentId, messages: [changed, fresh, first[0]!], addToContext: true }, { apiKey });
    expect(mixed.messages[0]).toEqual(stored[1]);
    expect(mixed.messages[2]).toEqual(stored[0]);
    expect(BigInt(mixed.messages[1]!.sequenceId)).toBeGreaterThan(BigInt(stored[1]!.sequenceId));

    expect(texts(await listAll(store, apiKey, { agentId }))).toEqual(["one", "two", "three"]);
    const context = await store.call("listContextMessages", { agentId }, { apiKey });
    expect(texts(context.messages)).toEqual(["one", "two", "three"]);
  });

  it("keeps otids per agent: another agent may reuse one", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const other = await newAgent(store, apiKey);
    const message = userMessage("same otid");
    const a = await store.call("appendMessages", { agentId, messages: [message], addToContext: false }, { apiKey });
    const b = await store.call("appendMessages", { agentId: other, messages: [message], addToContext: false }, { apiKey });
    expect(b.messages[0]!.id).not.toBe(a.messages[0]!.id);
    expect(b.messages[0]!.agentId).toBe(other);
  });

  it("adds to the in-context list of the messages' conversation only when asked", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    await store.call("appendMessages", { agentId, messages: [userMessage("not in context")], addToContext: false }, { apiKey });
    await store.call("appendMessages", { agentId, messages: [userMessage("a"), userMessage("b")], addToContext: true }, { apiKey });
    await store.call(
      "appendMessages",
      { agentId, messages: [userMessage("x", { conversationId: "conv-1" })], addToContext: true },
      { apiKey },
    );

    expect(texts((await store.call("listContextMessages", { agentId }, { apiKey })).messages)).toEqual(["a", "b"]);
    expect(texts((await store.call("listContextMessages", { agentId, conversationId: "conv-1" }, { apiKey })).messages)).toEqual(["x"]);
    expect((await store.call("listContextMessages", { agentId, conversationId: "new" }, { apiKey })).messages).toEqual([]);
    const agent = (await store.call("getAgent", { agentId }, { apiKey })).agent!;
    expect(agent.messageIds).toHaveLength(2);
  });

  it("lists by conversation, run and roles, ascending by default and descending on request", async () => {
    const { apiKey, agentId, organizationId } = await tenantWithAgent();
    const { run } = await store.call(
      "createRun",
      { agentId, conversationId: "c1", background: false, owner: "replica-1", leaseTtlMs: 60_000, acquireLock: false, includeContext: false, running: false },
      { internal: true, organizationId },
    );
    const append = (messages: Message[]) => store.call("appendMessages", { agentId, messages, addToContext: false }, { apiKey });
    await append([textMessage(SYSTEM, "sys"), userMessage("d1")]);
    await append([userMessage("c1-user", { conversationId: "c1", runId: run!.id }), textMessage(ASSISTANT, "c1-bot", { conversationId: "c1", runId: run!.id })]);
    await append([userMessage("c1-later", { conversationId: "c1" })]);
    await append([userMessage("c2", { conversationId: "c2" })]);

    expect(texts(await listAll(store, apiKey, { agentId }))).toEqual(["sys", "d1", "c1-user", "c1-bot", "c1-later", "c2"]);
    expect(texts(await listAll(store, apiKey, { agentId, conversationId: "c1" }))).toEqual(["c1-user", "c1-bot", "c1-later"]);
    expect(texts(await listAll(store, apiKey, { agentId, runId: run!.id }))).toEqual(["c1-user", "c1-bot"]);
    expect(texts(await listAll(store, apiKey, { agentId, roles: [USER] }))).toEqual(["d1", "c1-user", "c1-later", "c2"]);
    expect(texts(await listAll(store, apiKey, { agentId, roles: [SYSTEM, ASSISTANT] }))).toEqual(["sys", "c1-bot"]);
    expect(texts(await listAll(store, apiKey, { agentId, conversationId: "c1", roles: [USER], runId: run!.id }))).toEqual(["c1-user"]);
    expect(texts(await listAll(store, apiKey, { agentId, runId: `run-${randomUUID()}` }))).toEqual([]);

    const desc = await store.call("listMessages", { agentId, roles: [], order: SortOrder.SORT_ORDER_DESC, limit: 4 }, { apiKey });
    expect(texts(desc.messages)).toEqual(["c2", "c1-later", "c1-bot", "c1-user"]);
    expect(desc.hasMore).toBe(true);
    const rest = await store.call("listMessages", { agentId, roles: [], order: SortOrder.SORT_ORDER_DESC, limit: 4, before: desc.nextCursor }, { apiKey });
    expect(texts(rest.messages)).toEqual(["d1", "sys"]);
    expect(rest.hasMore).toBe(false);
    expect(rest.nextCursor).toBeUndefined();
  });

  it("refuses messages that name a run of another agent or an unknown run, writing nothing", async () => {
    const { apiKey, agentId, organizationId } = await tenantWithAgent();
    const other = await newAgent(store, apiKey);
    const { run } = await store.call(
      "createRun",
      { agentId: other, background: false, owner: "replica-1", leaseTtlMs: 60_000, acquireLock: false, includeContext: false, running: false },
      { internal: true, organizationId },
    );
    for (const runId of [run!.id, `run-${randomUUID()}`]) {
      await expect(
        store.call("appendMessages", { agentId, messages: [userMessage("x", { runId })], addToContext: true }, { apiKey }),
      ).rejects.toMatchObject({ code: Status.NOT_FOUND, reason: "RUN_NOT_FOUND", metadata: { run_id: runId } });
    }
    expect(await listAll(store, apiKey, { agentId })).toEqual([]);
  });

  it("edits the content and name of system, user and assistant messages, and stamps updated_at", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const { messages } = await store.call(
      "appendMessages",
      { agentId, messages: [textMessage(SYSTEM, "s"), userMessage("u", { name: "ann" }), textMessage(ASSISTANT, "a")], addToContext: false },
      { apiKey },
    );
    const reasoning = { part: { $case: "reasoning" as const, value: { text: "thinking it over", isNative: true } } };
    const edited = { part: { $case: "text" as const, value: { text: "edited" } } };

    const user = await store.call("updateMessage", { message: { ...messages[1]!, content: [edited], name: "bob" }, updateMask: ["content"] }, { apiKey });
    expect(user.message).toMatchObject({ id: messages[1]!.id, content: [edited], name: "ann", sequenceId: messages[1]!.sequenceId });
    expect(user.message!.updatedAt!.getTime()).toBeGreaterThanOrEqual(messages[1]!.createdAt!.getTime());

    const renamed = await store.call("updateMessage", { message: Message.fromPartial({ id: messages[1]!.id, name: "bob" }), updateMask: ["name"] }, { apiKey });
    expect(renamed.message).toMatchObject({ content: [edited], name: "bob" });
    const cleared = await store.call("updateMessage", { message: Message.fromPartial({ id: messages[1]!.id }), updateMask: ["name"] }, { apiKey });
    expect(cleared.message!.name).toBeUndefined();

    const assistant = await store.call(
      "updateMessage",
      { message: Message.fromPartial({ id: messages[2]!.id, content: [reasoning, edited] }), updateMask: ["content", "name"] },
      { apiKey },
    );
    expect(assistant.message!.content).toEqual([reasoning, edited]);
    const system = await store.call("updateMessage", { message: Message.fromPartial({ id: messages[0]!.id, content: [edited] }), updateMask: ["content"] }, { apiKey });
    expect(system.message!.content).toEqual([edited]);
    expect((await store.call("getMessage", { messageId: messages[2]!.id }, { apiKey })).message).toEqual(assistant.message);

    // The search text follows the edit.
    const search = (query: string) => store.call("searchMessages", { agentId, query, roles: [], limit: 0, order: 0, startTime: undefined, endTime: undefined }, { apiKey });
    expect((await search("thinking")).messages.map((m) => m.id)).toEqual([messages[2]!.id]);
    expect((await search("edited")).messages).toHaveLength(3);
  });

  it("refuses to edit tool and approval messages with MESSAGE_NOT_EDITABLE, changing nothing", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const { messages } = await store.call("appendMessages", { agentId, messages: [toolMessage(), approvalMessage()], addToContext: false }, { apiKey });
    for (const [m, role] of [[messages[0]!, "MESSAGE_ROLE_TOOL"], [messages[1]!, "MESSAGE_ROLE_APPROVAL"]] as const) {
      const attempt = Message.fromPartial({ id: m.id, content: [{ part: { $case: "text", value: { text: "forged" } } }] });
      await expect(store.call("updateMessage", { message: attempt, updateMask: ["content"] }, { apiKey })).rejects.toMatchObject({
        code: Status.FAILED_PRECONDITION,
        reason: "MESSAGE_NOT_EDITABLE",
        metadata: { message_id: m.id, role },
      });
      expect((await store.call("getMessage", { messageId: m.id }, { apiKey })).message).toEqual(m);
    }
  });

  it("answers NOT_FOUND for another organization's agent and messages on every RPC", async () => {
    const owner = await tenantWithAgent();
    const intruder = await store.newTenant();
    const { messages } = await store.call("appendMessages", { agentId: owner.agentId, messages: [userMessage("secret")], addToContext: true }, { apiKey: owner.apiKey });
    const messageId = messages[0]!.id;
    const as = { apiKey: intruder.apiKey };
    const agentNotFound = { code: Status.NOT_FOUND, reason: "AGENT_NOT_FOUND", metadata: { agent_id: owner.agentId } };
    const messageNotFound = { code: Status.NOT_FOUND, reason: "MESSAGE_NOT_FOUND", metadata: { message_id: messageId } };
    const agentId = owner.agentId;

    await expect(store.call("appendMessages", { agentId, messages: [userMessage("x")], addToContext: true }, as)).rejects.toMatchObject(agentNotFound);
    await expect(store.call("listMessages", { agentId, roles: [], limit: 0, order: 0 }, as)).rejects.toMatchObject(agentNotFound);
    await expect(store.call("listMessages", { agentId, roles: [], limit: 0, order: 0, before: "1" }, as)).rejects.toMatchObject(agentNotFound);
    await expect(
      store.call("searchMessages", { agentId, query: "secret", roles: [], limit: 0, order: 0, startTime: undefined, endTime: undefined }, as),
    ).rejects.toMatchObject(agentNotFound);
    await expect(store.call("listContextMessages", { agentId }, as)).rejects.toMatchObject(agentNotFound);
    await expect(store.call("getMessage", { messageId }, as)).rejects.toMatchObject(messageNotFound);
    const edit = Message.fromPartial({ id: messageId, content: [{ part: { $case: "text", value: { text: "hacked" } } }] });
    await expect(store.call("updateMessage", { message: edit, updateMask: ["content"] }, as)).rejects.toMatchObject(messageNotFound);

    const unknown = `message-${randomUUID()}`;
    await expect(store.call("getMessage", { messageId: unknown }, { apiKey: owner.apiKey })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      reason: "MESSAGE_NOT_FOUND",
      metadata: { message_id: unknown },
    });
    expect(await listAll(store, owner.apiKey, { agentId })).toEqual(messages);
    expect((await store.call("getMessage", { messageId }, { apiKey: owner.apiKey })).message).toEqual(messages[0]);
  });

  it("names the bad field of a refused append and writes nothing", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const kept = (await store.call("appendMessages", { agentId, messages: [userMessage("kept", { conversationId: "c" })], addToContext: true }, { apiKey })).messages;
    const taken = kept[0]!;
    const otid = randomUUID();
    const huge = "x".repeat(1024 * 1024);
    const id = `message-${randomUUID()}`;
    const cases: [string, Partial<Parameters<StoreHarness["call"]>[1]> & object, string][] = [
      ["no messages", { messages: [] }, "messages"],
      ["too many", { messages: Array.from({ length: 1001 }, () => userMessage("m")) }, "messages"],
      ["no role", { messages: [userMessage("ok"), Message.fromPartial({ otid: randomUUID() })] }, "messages[1].role"],
      ["unknown role", { messages: [userMessage("ok", { role: 42 as MessageRole })] }, "messages[0].role"],
      ["malformed id", { messages: [userMessage("ok", { id: "m-1" })] }, "messages[0].id"],
      ["foreign agent id", { messages: [userMessage("ok", { agentId: `agent-${randomUUID()}` })] }, "messages[0].agent_id"],
      ["repeated otid", { messages: [userMessage("a", { otid }), userMessage("b"), userMessage("c", { otid })] }, "messages[2].otid"],
      ["empty conversation", { messages: [userMessage("ok", { conversationId: "" })] }, "messages[0].conversation_id"],
      ["long conversation", { messages: [userMessage("ok", { conversationId: "c".repeat(201) })] }, "messages[0].conversation_id"],
      ["two conversations", { messages: [userMessage("a", { conversationId: "c" }), userMessage("b")] }, "messages[1].conversation_id"],
      ["malformed run id", { messages: [userMessage("ok", { runId: "run-1" })] }, "messages[0].run_id"],
      ["oversized", { messages: [userMessage("ok"), userMessage(huge)] }, "messages[1]"],
      ["NUL character", { messages: [userMessage("a\u0000b")] }, "messages[0]"],
      ["empty content part", { messages: [Message.fromPartial({ role: USER, otid: randomUUID(), content: [{}] })] }, "messages[0].content[0]"],
      ["id of another message", { messages: [userMessage("ok", { id: taken.id })] }, "messages[0].id"],
      ["id twice", { messages: [userMessage("a", { id }), userMessage("b", { id })] }, "messages[1].id"],
      ["malformed agent id", { agentId: "agent-1" }, "agent_id"],
    ];
    for (const [what, patch, field] of cases) {
      const request = { agentId, messages: [userMessage("fine")], addToContext: true, ...patch };
      await expect(store.call("appendMessages", request as never, { apiKey }), what).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        reason: "INVALID_ARGUMENT",
        metadata: { field },
      });
    }
    expect(await listAll(store, apiKey, { agentId })).toEqual(kept);
    expect((await store.call("listContextMessages", { agentId, conversationId: "c" }, { apiKey })).messages).toEqual(kept);
    expect((await store.call("listContextMessages", { agentId }, { apiKey })).messages).toEqual([]);
  });

  it("names the bad field of a refused list, get, update or context read", async () => {
    const { apiKey, agentId } = await tenantWithAgent();
    const { messages } = await store.call("appendMessages", { agentId, messages: [userMessage("keep")], addToContext: false }, { apiKey });
    const id = messages[0]!.id;
    const list = { agentId, roles: [], limit: 0, order: 0 };
    const text = [{ part: { $case: "text" as const, value: { text: "t" } } }];
    const refused: [() => Promise<unknown>, string][] = [
      [() => store.call("listMessages", { ...list, agentId: "nope" }, { apiKey }), "agent_id"],
      [() => store.call("listMessages", { ...list, limit: 1001 }, { apiKey }), "limit"],
      [() => store.call("listMessages", { ...list, limit: -1 }, { apiKey }), "limit"],
      [() => store.call("listMessages", { ...list, roles: [USER, 0 as MessageRole] }, { apiKey }), "roles[1]"],
      [() => store.call("listMessages", { ...list, order: 7 as SortOrder }, { apiKey }), "order"],
      [() => store.call("listMessages", { ...list, conversationId: "" }, { apiKey }), "conversation_id"],
      [() => store.call("listMessages", { ...list, runId: "run-x" }, { apiKey }), "run_id"],
      [() => store.call("getMessage", { messageId: "message-1" }, { apiKey }), "message_id"],
      [() => store.call("listContextMessages", { agentId, conversationId: "" }, { apiKey }), "conversation_id"],
      [() => store.call("updateMessage", { message: undefined, updateMask: ["content"] }, { apiKey }), "message"],
      [() => store.call("updateMessage", { message: Message.fromPartial({ id: "x", content: text }), updateMask: ["content"] }, { apiKey }), "message.id"],
      [() => store.call("updateMessage", { message: Message.fromPartial({ id, content: text }), updateMask: [] }, { apiKey }), "update_mask"],
      [() => store.call("updateMessage", { message: Message.fromPartial({ id, content: text }), updateMask: ["role"] }, { apiKey }), "update_mask"],
      [() => store.call("updateMessage", { message: Message.fromPartial({ id, content: [{}] }), updateMask: ["content"] }, { apiKey }), "message.content[0]"],
      [() => store.call("updateMessage", { message: Message.fromPartial({ id, name: "n".repeat(201) }), updateMask: ["name"] }, { apiKey }), "message.name"],
      [
        () => store.call("updateMessage", { message: Message.fromPartial({ id, content: [...text, ...userMessage("y".repeat(1024 * 1024)).content] }), updateMask: ["content"] }, { apiKey }),
        "message.content",
      ],
    ];
    for (const [call, field] of refused) {
      await expect(call(), field).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field } });
    }
    expect((await store.call("getMessage", { messageId: id }, { apiKey })).message).toEqual(messages[0]);
  });
});
