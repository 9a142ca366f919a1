import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@conduit/proto/agent/v1";
import { SortOrder, type ListMessagesRequest } from "@conduit/proto/store/v1";
import { listAll, newAgent, userMessage } from "./support/messages.js";
import { BACKENDS, startStore, type StoreHarness } from "./support/store-harness.js";

const ASC = SortOrder.SORT_ORDER_ASC;
const DESC = SortOrder.SORT_ORDER_DESC;
const UINT64_MAX = "18446744073709551615";

const seqs = (messages: Message[]) => messages.map((m) => BigInt(m.sequenceId));
const ids = (messages: Message[]) => messages.map((m) => m.id);

describe.each(BACKENDS)("message paging (%s)", (backend) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore(backend);
  });
  afterAll(() => store?.stop());

  async function seeded(count: number) {
    const { apiKey } = await store.newTenant();
    const agentId = await newAgent(store, apiKey);
    const messages = Array.from({ length: count }, (_, i) => userMessage(`m${i}`));
    const stored = (await store.call("appendMessages", { agentId, messages, addToContext: false }, { apiKey })).messages;
    const list = (request: Partial<ListMessagesRequest>) =>
      store.call("listMessages", { agentId, roles: [], limit: 0, order: 0, ...request }, { apiKey });
    return { apiKey, agentId, stored, list };
  }

  it("visits every message exactly once paging forwards and backwards while other writers append", async () => {
    const { apiKey, agentId, stored: seed, list } = await seeded(40);
    const highWater = (BigInt(seed.at(-1)!.sequenceId) + 1n).toString();
    const append = (messages: Message[]) => store.call("appendMessages", { agentId, messages, addToContext: true }, { apiKey });

    // Four writers, each appending ten batches of five, all in flight while the readers page.
    let writing = 4;
    const written: Message[] = [];
    const writers = Array.from({ length: writing }, async (_, w) => {
      for (let b = 0; b < 10; b++) {
        const batch = Array.from({ length: 5 }, (_, i) => userMessage(`w${w}-${b}-${i}`));
        written.push(...(await append(batch)).messages);
      }
      writing--;
    });

    // Pages up from 0; at the end of the list it polls on until the writers are done, then
    // reads once more, so it must see every message, each once, in increasing order.
    const forward = async () => {
      const seen: Message[] = [];
      let after = "0";
      for (;;) {
        const writersDone = writing === 0;
        const page = await list({ after, limit: 7, order: ASC });
        seen.push(...page.messages);
        after = page.messages.at(-1)?.sequenceId ?? after;
        if (page.hasMore) expect(page.nextCursor).toBe(after);
        else if (writersDone) return seen;
      }
    };
    const backward = async () => {
      const seen: Message[] = [];
      let before: string | undefined = highWater;
      while (before !== undefined) {
        const page = await list({ before, limit: 7, order: DESC });
        seen.push(...page.messages);
        before = page.nextCursor;
      }
      return seen;
    };

    const [up, down] = await Promise.all([forward(), backward(), ...writers]);
    const everything = [...seed, ...written];

    const upSeqs = seqs(up);
    expect(upSeqs.every((s, i) => i === 0 || s > upSeqs[i - 1]!)).toBe(true);
    expect(new Set(ids(up)).size).toBe(up.length);
    expect(new Set(ids(up))).toEqual(new Set(ids(everything)));

    expect(ids(down)).toEqual(ids(seed).reverse());

    const final = await listAll(store, apiKey, { agentId, order: ASC }, 50);
    expect(new Set(ids(final))).toEqual(new Set(ids(everything)));
    expect(final).toHaveLength(seed.length + 4 * 10 * 5);
    const context = await store.call("listContextMessages", { agentId }, { apiKey });
    expect(new Set(ids(context.messages))).toEqual(new Set(ids(written)));
  });

  it("says has_more and gives next_cursor only while more messages match", async () => {
    const { stored, list } = await seeded(25);
    const first = await list({ limit: 10 });
    expect(ids(first.messages)).toEqual(ids(stored.slice(0, 10)));
    expect(first).toMatchObject({ hasMore: true, nextCursor: stored[9]!.sequenceId });
    const second = await list({ limit: 10, after: first.nextCursor });
    expect(ids(second.messages)).toEqual(ids(stored.slice(10, 20)));
    const last = await list({ limit: 10, after: second.nextCursor });
    expect(ids(last.messages)).toEqual(ids(stored.slice(20)));
    expect(last.hasMore).toBe(false);
    expect(last.nextCursor).toBeUndefined();

    const exact = await list({ limit: 5, after: stored[19]!.sequenceId });
    expect(exact.messages).toHaveLength(5);
    expect(exact.hasMore).toBe(false);
  });

  it("lists a range between both cursors in either direction", async () => {
    const { stored, list } = await seeded(12);
    const range = { after: stored[2]!.sequenceId, before: stored[9]!.sequenceId };
    expect(ids((await list({ ...range, order: ASC })).messages)).toEqual(ids(stored.slice(3, 9)));
    expect(ids((await list({ ...range, order: DESC })).messages)).toEqual(ids(stored.slice(3, 9)).reverse());
    const page = await list({ ...range, order: DESC, limit: 4 });
    expect(ids(page.messages)).toEqual(ids(stored.slice(5, 9)).reverse());
    expect(page).toMatchObject({ hasMore: true, nextCursor: stored[5]!.sequenceId });

    expect((await list({ after: stored[5]!.sequenceId, before: stored[6]!.sequenceId })).messages).toEqual([]);
    expect((await list({ after: stored[6]!.sequenceId, before: stored[5]!.sequenceId })).messages).toEqual([]);
  });

  it("starts DESC from the newest message and ASC from the oldest when no cursor is given", async () => {
    const { stored, list } = await seeded(6);
    expect(ids((await list({ order: DESC, limit: 2 })).messages)).toEqual([stored[5]!.id, stored[4]!.id]);
    expect(ids((await list({ limit: 2 })).messages)).toEqual([stored[0]!.id, stored[1]!.id]);
  });

  it("pages 100 messages by default", async () => {
    const { stored, list } = await seeded(101);
    const page = await list({ limit: 0 });
    expect(page.messages).toHaveLength(100);
    expect(page).toMatchObject({ hasMore: true, nextCursor: stored[99]!.sequenceId });
  });

  it("accepts cursors up to the largest uint64", async () => {
    const { stored, list } = await seeded(3);
    expect(ids((await list({ before: UINT64_MAX, order: DESC })).messages)).toEqual(ids(stored).reverse());
    expect((await list({ after: UINT64_MAX })).messages).toEqual([]);
    expect((await list({ before: "0" })).messages).toEqual([]);
    expect((await list({ before: "1" })).messages).toEqual([]);
  });
});
