import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Status } from "@conduit/grpc-kit";
import { Message, MessageRole, ToolReturnStatus } from "@conduit/proto/agent/v1";
import { SortOrder, type SearchMessagesRequest } from "@conduit/proto/store/v1";
import { newAgent, textMessage, userMessage } from "./support/messages.js";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

const texts = (messages: Message[]) => messages.map((m) => (m.content[0]?.part?.$case === "text" ? m.content[0].part.value.text : m.id));

describe.each(BACKENDS)("message search (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  /** An agent holding the given messages (one append per conversation), and a search over them. */
  async function agentWith(messages: Message[]) {
    const { apiKey } = await store.newTenant();
    const agentId = await newAgent(store, apiKey);
    const stored: Message[] = [];
    for (const conversationId of new Set(messages.map((m) => m.conversationId))) {
      const batch = messages.filter((m) => m.conversationId === conversationId);
      stored.push(...(await store.call("appendMessages", { agentId, messages: batch, addToContext: false }, { apiKey })).messages);
    }
    const search = (query: string, request: Partial<SearchMessagesRequest> = {}) =>
      store.call(
        "searchMessages",
        { agentId, query, roles: [], limit: 0, order: 0, startTime: undefined, endTime: undefined, ...request },
        { apiKey },
      );
    const find = async (query: string, request: Partial<SearchMessagesRequest> = {}) => texts((await search(query, request)).messages);
    return { apiKey, agentId, stored, search, find };
  }

  it("matches english stems: 'running' finds runs and run, but not the irregular 'ran'", async () => {
    const { find } = await agentWith([
      userMessage("she runs every morning"),
      userMessage("a quick run"),
      userMessage("he ran yesterday"),
      userMessage("nothing here"),
    ]);
    expect(await find("running")).toEqual(["a quick run", "she runs every morning"]);
    expect(await find("RUNS")).toEqual(["a quick run", "she runs every morning"]);
    expect(await find("ran")).toEqual(["he ran yesterday"]);
  });

  it("finds an edited message by its new words, not its old ones", async () => {
    const { apiKey, stored, find } = await agentWith([userMessage("the parrot sings"), userMessage("a quiet owl")]);
    const edited = { part: { $case: "text" as const, value: { text: "the parrot whistles" } } };
    await store.call("updateMessage", { message: { ...stored[0]!, content: [edited] }, updateMask: ["content"] }, { apiKey });
    expect(await find("whistling")).toEqual(["the parrot whistles"]);
    expect(await find("sings")).toEqual([]);
    expect(await find("owl")).toEqual(["a quiet owl"]);
  });

  it("supports quoted phrases, or, and -exclusion, with every bare word required", async () => {
    const { find } = await agentWith([
      userMessage("the big dog barked"),
      userMessage("the dog is big"),
      userMessage("a big cat and a dog"),
      userMessage("a small bird"),
    ]);
    expect(await find('"big dog"')).toEqual(["the big dog barked"]);
    expect(await find("big dog")).toEqual(["a big cat and a dog", "the dog is big", "the big dog barked"]);
    expect(await find("dog -cat")).toEqual(["the dog is big", "the big dog barked"]);
    expect(await find("cat or bird")).toEqual(["a small bird", "a big cat and a dog"]);
    expect(await find("the")).toEqual([]);
    expect(await find("zebra")).toEqual([]);
  });

  it("searches tool calls, tool returns and reasoning as well as text", async () => {
    const { find } = await agentWith([
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_ASSISTANT,
        otid: "a1",
        content: [{ part: { $case: "reasoning", value: { text: "I should check the forecast", isNative: true } } }],
        toolCalls: [{ id: "call_1", name: "get_weather", argumentsJson: '{"city":"Lisbon"}' }],
      }),
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_TOOL,
        otid: "t1",
        toolReturns: [
          { toolCallId: "call_1", status: ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS, parts: [{ part: { $case: "text", value: { text: "sunny and warm" } } }] },
        ],
      }),
    ]);
    expect(await find("forecast lisbon")).toHaveLength(1);
    expect(await find("warm")).toHaveLength(1);
  });

  it("stores a message of a megabyte of distinct words, searchable by its first 128 KiB of text", async () => {
    const words: string[] = [];
    for (let i = 0, length = 0; length < 1_000_000; i++, length += words.at(-1)!.length + 1) words.push(`w${i.toString(36)}q${(i * 7919).toString(36)}`);
    const { find, stored } = await agentWith([userMessage(words.join(" "))]);
    expect(stored).toHaveLength(1);
    expect(await find(words[0]!)).toHaveLength(1);
    expect(await find(words.at(-1)!)).toEqual([]);
  });

  it("filters by conversation, roles and creation time", async () => {
    const { find, stored } = await agentWith([
      userMessage("apple one", { conversationId: "c1" }),
      textMessage(MessageRole.MESSAGE_ROLE_ASSISTANT, "apple two", { conversationId: "c1" }),
      userMessage("apple three", { conversationId: "c2" }),
    ]);
    expect(await find("apple", { conversationId: "c1" })).toEqual(["apple two", "apple one"]);
    expect(await find("apple", { roles: [MessageRole.MESSAGE_ROLE_USER] })).toEqual(["apple three", "apple one"]);
    expect(await find("apple", { conversationId: "c2", roles: [MessageRole.MESSAGE_ROLE_ASSISTANT] })).toEqual([]);

    // One append stamps one creation time: start_time includes it, end_time excludes it.
    const created = stored[0]!.createdAt!;
    const later = new Date(created.getTime() + 1);
    const c1 = { conversationId: "c1" };
    expect(await find("apple", { ...c1, startTime: created })).toHaveLength(2);
    expect(await find("apple", { ...c1, startTime: later })).toEqual([]);
    expect(await find("apple", { ...c1, endTime: created })).toEqual([]);
    expect(await find("apple", { ...c1, endTime: later })).toHaveLength(2);
  });

  it("pages newest first by default with ListMessages' cursors, and oldest first on request", async () => {
    const { search, stored } = await agentWith(Array.from({ length: 7 }, (_, i) => userMessage(i % 2 === 0 ? `pear ${i}` : `plum ${i}`)));
    const first = await search("pear", { limit: 3 });
    expect(texts(first.messages)).toEqual(["pear 6", "pear 4", "pear 2"]);
    expect(first).toMatchObject({ hasMore: true, nextCursor: stored[2]!.sequenceId });
    const rest = await search("pear", { limit: 3, before: first.nextCursor });
    expect(texts(rest.messages)).toEqual(["pear 0"]);
    expect(rest.hasMore).toBe(false);
    expect(rest.nextCursor).toBeUndefined();

    const asc = await search("pear", { limit: 2, order: SortOrder.SORT_ORDER_ASC });
    expect(texts(asc.messages)).toEqual(["pear 0", "pear 2"]);
    const next = await search("pear", { limit: 2, order: SortOrder.SORT_ORDER_ASC, after: asc.nextCursor });
    expect(texts(next.messages)).toEqual(["pear 4", "pear 6"]);
    expect(next.hasMore).toBe(false);
  });

  it("refuses an empty query or a reversed time window, naming the field", async () => {
    const { search, stored } = await agentWith([userMessage("kiwi")]);
    for (const query of ["", "   \n\t"]) {
      await expect(search(query)).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, reason: "INVALID_ARGUMENT", metadata: { field: "query" } });
    }
    await expect(search("x".repeat(1001))).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "query" } });
    const at = stored[0]!.createdAt!;
    await expect(search("kiwi", { startTime: at, endTime: at })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      metadata: { field: "end_time" },
    });
    await expect(search("kiwi", { limit: 1001 })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "limit" } });
  });

  it("treats operator characters in a query as text, not as syntax errors", async () => {
    const { find } = await agentWith([userMessage("a (tricky) message & more: yes!")]);
    for (const query of ["tricky)", "& | ! :*", "'", '"unterminated', "(tricky & message)"]) {
      await expect(find(query), query).resolves.toBeInstanceOf(Array);
    }
    expect(await find("(tricky) message")).toEqual(["a (tricky) message & more: yes!"]);
  });
});
