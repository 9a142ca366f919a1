import { randomUUID } from "node:crypto";
import { Agent, Message, MessageRole } from "@conduit/proto/agent/v1";
import type { ListMessagesRequest } from "@conduit/proto/store/v1";
import type { StoreHarness } from "./store-harness.js";

/** A message with one text part and a fresh otid. */
export function textMessage(role: MessageRole, text: string, extra: Partial<Message> = {}): Message {
  return Message.fromPartial({ role, content: [{ part: { $case: "text", value: { text } } }], otid: randomUUID(), ...extra });
}

export const userMessage = (text: string, extra: Partial<Message> = {}) => textMessage(MessageRole.MESSAGE_ROLE_USER, text, extra);

/** A fresh agent of the tenant. */
export async function newAgent(store: StoreHarness, apiKey: string): Promise<string> {
  const { agent } = await store.call("createAgent", { agent: Agent.fromPartial({ name: "a" }) }, { apiKey });
  return agent!.id;
}

/** Every message the filter matches, walking ASC pages of `limit` from the start. */
export async function listAll(
  store: StoreHarness,
  apiKey: string,
  filter: Partial<ListMessagesRequest> & { agentId: string },
  limit = 1000,
): Promise<Message[]> {
  const out: Message[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.call("listMessages", { roles: [], order: 0, ...filter, after, limit }, { apiKey });
    out.push(...page.messages);
    if (!page.hasMore) return out;
    after = page.nextCursor;
  }
}
