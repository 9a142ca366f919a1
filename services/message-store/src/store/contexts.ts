import type { EntityManager } from "typeorm";
import { AgentRow, ConversationContextRow } from "../db/entities/index.js";

/**
 * The in-context message list of an agent's default conversation (on the agent row) or of a
 * named conversation (its own row, made on first write). Callers hold the agent's lock.
 */
export async function readContextIds(em: EntityManager, org: string, agentId: string, conversationId?: string): Promise<string[]> {
  if (!conversationId) {
    const agent = await em.findOneBy(AgentRow, { id: agentId, organizationId: org });
    return agent?.messageIds ?? [];
  }
  const row = await em.findOneBy(ConversationContextRow, { agentId, conversationId, organizationId: org });
  return row?.messageIds ?? [];
}

export async function writeContextIds(
  em: EntityManager,
  org: string,
  agentId: string,
  conversationId: string | undefined,
  ids: readonly string[],
): Promise<void> {
  const now = new Date();
  if (!conversationId) {
    await em.update(AgentRow, { id: agentId, organizationId: org }, { messageIds: [...ids], updatedAt: now });
    return;
  }
  await em.upsert(
    ConversationContextRow,
    { agentId, conversationId, organizationId: org, messageIds: [...ids], updatedAt: now },
    ["agentId", "conversationId"],
  );
}

/** Appends ids that the list does not hold yet, in order. */
export async function appendContextIds(
  em: EntityManager,
  org: string,
  agentId: string,
  conversationId: string | undefined,
  ids: readonly string[],
): Promise<void> {
  const current = await readContextIds(em, org, agentId, conversationId);
  const seen = new Set(current);
  const added = ids.filter((id) => !seen.has(id));
  if (added.length > 0) await writeContextIds(em, org, agentId, conversationId, [...current, ...added]);
}
