import { randomUUID } from "node:crypto";
import { In, type EntityManager } from "typeorm";
import type { Message } from "@conduit/proto/agent/v1";
import { MessageRow } from "../db/entities/index.js";
import { messageColumns, toMessage } from "../mappers/messages.js";

/**
 * Writes messages for an agent, idempotent by otid: a message whose otid the agent already has
 * comes back as stored and is not written again. Must run in a transaction that holds the
 * agent's lock (`lockAgent`), which orders sequence ids by commit. Returns the messages in
 * input order, with their ids and sequence ids.
 */
export async function insertMessages(
  em: EntityManager,
  org: string,
  agentId: string,
  messages: readonly Message[],
): Promise<Message[]> {
  const withIds = messages.map((m) => ({ ...m, id: m.id || `message-${randomUUID()}`, otid: m.otid || randomUUID() }));
  const existing = await em.findBy(MessageRow, { agentId, otid: In(withIds.map((m) => m.otid)) });
  const stored = new Map(existing.map((row) => [row.otid, row]));
  const now = new Date();
  const fresh = withIds
    .filter((m) => !stored.has(m.otid))
    .map((m) =>
      Object.assign(new MessageRow(), {
        ...messageColumns(m),
        id: m.id,
        otid: m.otid,
        organizationId: org,
        agentId,
        createdAt: now,
        updatedAt: null,
      }),
    );
  if (fresh.length > 0) {
    const result = await em.createQueryBuilder().insert().into(MessageRow).values(fresh).returning(["id", "sequence_id"]).execute();
    const sequence = new Map((result.raw as { id: string; sequence_id: string }[]).map((r) => [r.id, r.sequence_id]));
    for (const row of fresh) stored.set(row.otid, Object.assign(row, { sequenceId: sequence.get(row.id)! }));
  }
  return withIds.map((m) => toMessage(stored.get(m.otid)!));
}
