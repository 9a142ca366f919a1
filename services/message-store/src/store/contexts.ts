import type { EntityManager } from "typeorm";
import { AgentRow, ConversationContextRow } from "../db/entities/index.js";

/**
 * The in-context message list of an agent's default conversation (on the agent row) or of a
 * named conversation (its own row, made on first write). Callers hold the agent's lock.
 */
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

/**
 * Appends ids that the list does not hold yet, in order, in one statement (the list is not read
 * into the store and written back); nothing is written when every id is there already.
 */
export async function appendContextIds(
  em: EntityManager,
  org: string,
  agentId: string,
  conversationId: string | undefined,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const now = new Date();
  const json = JSON.stringify(ids);
  if (!conversationId) {
    await em.query(
      `UPDATE agents SET message_ids = message_ids || ${missingFrom("agents.message_ids", "$3::jsonb")}, updated_at = $4
       WHERE id = $1 AND organization_id = $2 AND ${anyMissing("agents.message_ids", "$3::jsonb")}`,
      [agentId, org, json, now],
    );
    return;
  }
  await em.query(
    `INSERT INTO conversation_contexts (agent_id, conversation_id, organization_id, message_ids, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (agent_id, conversation_id) DO UPDATE
       SET message_ids = conversation_contexts.message_ids || ${missingFrom("conversation_contexts.message_ids", "EXCLUDED.message_ids")},
           updated_at = EXCLUDED.updated_at
       WHERE ${anyMissing("conversation_contexts.message_ids", "EXCLUDED.message_ids")}`,
    [agentId, conversationId, org, json, now],
  );
}

/** The ids of `added` (a jsonb array) that `list` does not hold, in order, as a jsonb array. */
const missingFrom = (list: string, added: string) =>
  `(SELECT COALESCE(jsonb_agg(u.id ORDER BY u.n), '[]'::jsonb) FROM jsonb_array_elements_text(${added}) WITH ORDINALITY AS u(id, n) WHERE NOT jsonb_exists(${list}, u.id))`;

const anyMissing = (list: string, added: string) =>
  `EXISTS (SELECT 1 FROM jsonb_array_elements_text(${added}) AS v(id) WHERE NOT jsonb_exists(${list}, v.id))`;
