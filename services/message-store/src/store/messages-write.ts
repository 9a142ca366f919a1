import { randomUUID } from "node:crypto";
import { In, type EntityManager } from "typeorm";
import { invalidArgument } from "@conduit/grpc-kit";
import type { Message } from "@conduit/proto/agent/v1";
import { MessageRow } from "../db/entities/index.js";
import { messageColumns, toMessage } from "../mappers/messages.js";

/**
 * Writes messages for an agent, idempotent by otid: a message whose otid the agent already has
 * (or an earlier message of the batch has) comes back as stored and is not written again.
 * Must run in a transaction that holds the agent's lock (`lockAgent`), which orders sequence
 * ids by commit. Returns the messages in input order, with their ids and sequence ids.
 * A caller-chosen id that another message has is refused as INVALID_ARGUMENT `messages[i].id`.
 */
export async function insertMessages(
  em: EntityManager,
  org: string,
  agentId: string,
  messages: readonly Message[],
): Promise<Message[]> {
  const withIds = messages.map((m) => ({ ...m, id: m.id || `message-${randomUUID()}`, otid: m.otid || randomUUID() }));
  const existing = await storedWithOtids(em, agentId, withIds.map((m) => m.otid));
  const stored = new Map(existing.map((row) => [row.otid, row]));
  const toWrite = new Map<string, number>();
  withIds.forEach((m, index) => {
    if (!stored.has(m.otid) && !toWrite.has(m.otid)) toWrite.set(m.otid, index);
  });
  const indexes = [...toWrite.values()];
  await refuseTakenIds(em, indexes.filter((i) => messages[i]!.id).map((i) => ({ id: messages[i]!.id, index: i })));

  const now = new Date();
  const fresh = indexes.map((i) =>
    Object.assign(new MessageRow(), {
      ...messageColumns(withIds[i]!),
      id: withIds[i]!.id,
      otid: withIds[i]!.otid,
      organizationId: org,
      agentId,
      createdAt: now,
      updatedAt: null,
    }),
  );
  const sequence = await insertRows(em, fresh);
  // A written message is returned as given plus what the store assigned: converting it back
  // from its row would repeat the JSON round trip for every message of the batch.
  const written = new Map<string, Message>();
  for (const i of indexes) {
    const m = withIds[i]!;
    written.set(m.otid, { ...m, agentId, sequenceId: sequence.get(m.id)!, createdAt: now, updatedAt: undefined });
  }
  return withIds.map((m) => written.get(m.otid) ?? toMessage(stored.get(m.otid)!));
}

/**
 * One INSERT for the whole batch, one array parameter per column: a multi-row VALUES list
 * built by the ORM costs several times the database's own work at a thousand rows. Rows take
 * sequence ids in input order. Returns each message id's sequence id.
 */
async function insertRows(em: EntityManager, rows: readonly MessageRow[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const column = <T>(pick: (row: MessageRow) => T) => rows.map(pick);
  const json = (pick: (row: MessageRow) => object) => rows.map((row) => JSON.stringify(pick(row)));
  const inserted: { id: string; sequence_id: string }[] = await em.query(
    `INSERT INTO messages (id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
       tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at)
     SELECT id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
       tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::jsonb[], $10::jsonb[], $11::text[], $12::jsonb[], $13::jsonb[], $14::text[], $15::text[], $16::boolean[],
       $17::text[], $18::timestamptz[])
       WITH ORDINALITY AS r(id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
         tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at, n)
     ORDER BY n
     RETURNING id, sequence_id`,
    [
      column((r) => r.id),
      column((r) => r.otid),
      column((r) => r.organizationId),
      column((r) => r.agentId),
      column((r) => r.conversationId),
      column((r) => r.runId),
      column((r) => r.stepId),
      column((r) => r.role),
      json((r) => r.content),
      json((r) => r.toolCalls),
      column((r) => r.toolCallId),
      json((r) => r.toolReturns),
      json((r) => r.approvals),
      column((r) => r.model),
      column((r) => r.name),
      column((r) => r.isErr),
      column((r) => r.searchText),
      column((r) => r.createdAt.toISOString()),
    ],
  );
  return new Map(inserted.map((r) => [r.id, r.sequence_id]));
}

/**
 * The agent's messages with these otids. Joined with unnest so that each otid is one probe of
 * the (agent_id, otid) unique index: as an `otid = ANY(...)` filter the planner scanned all of
 * a large agent's rows instead, which made appends slow down as the agent grew.
 */
async function storedWithOtids(em: EntityManager, agentId: string, otids: readonly string[]): Promise<MessageRow[]> {
  const hits: { sequence_id: string }[] = await em.query(
    "SELECT m.sequence_id FROM unnest($2::text[]) AS o(otid) JOIN messages m ON m.agent_id = $1 AND m.otid = o.otid",
    [agentId, otids],
  );
  if (hits.length === 0) return [];
  return em.findBy(MessageRow, { sequenceId: In(hits.map((h) => h.sequence_id)) });
}

/** Ids the caller chose for messages to write must be new, and distinct within the batch. */
async function refuseTakenIds(em: EntityManager, chosen: readonly { id: string; index: number }[]): Promise<void> {
  if (chosen.length === 0) return;
  const first = new Map<string, number>();
  for (const { id, index } of chosen) {
    if (first.has(id)) throw invalidArgument(`messages[${index}].id`, `is also the id of messages[${first.get(id)}]`);
    first.set(id, index);
  }
  const taken: { id: string }[] = await em.query("SELECT id FROM messages WHERE id = ANY($1::text[])", [[...first.keys()]]);
  if (taken.length > 0) throw invalidArgument(`messages[${first.get(taken[0]!.id)}].id`, "is the id of another message");
}
