import { randomUUID } from "node:crypto";
import { In, type EntityManager } from "typeorm";
import { invalidArgument } from "@conduit/grpc-kit";
import type { Message } from "@conduit/proto/agent/v1";
import { MessageRow } from "../db/entities/index.js";
import { messageColumns, toMessage } from "../mappers/messages.js";

/**
 * A batch of one agent's messages ready to insert: ids chosen, columns encoded. Built before
 * the agent's lock is taken, so that the encoding of a large batch does not hold up the
 * agent's other writers.
 */
export interface PreparedMessages {
  readonly org: string;
  readonly agentId: string;
  /** The input in order, with ids and otids filled in. */
  readonly messages: readonly Message[];
  /** Indexes into `messages` of the first message of each otid: the ones to write. */
  readonly firsts: readonly number[];
  /** Indexes into `messages`, among `firsts`, of messages whose id the caller chose. */
  readonly chosenIds: readonly number[];
  readonly createdAt: Date;
  /** Parameters $1–$18 of INSERT_MESSAGES: one array per column, for the messages of `firsts`. */
  readonly params: readonly unknown[];
  /** What search sees of each message of `firsts`, and its vector once `computeSearchVectors` ran. */
  readonly searchTexts: readonly string[];
  searchVectors?: readonly string[];
}

export function prepareMessages(org: string, agentId: string, input: readonly Message[], now = new Date()): PreparedMessages {
  const messages = input.map((m) => ({ ...m, agentId, id: m.id || `message-${randomUUID()}`, otid: m.otid || randomUUID() }));
  const seen = new Set<string>();
  const firsts: number[] = [];
  messages.forEach((m, i) => {
    if (!seen.has(m.otid)) firsts.push(i), seen.add(m.otid);
  });
  const chosenIds = firsts.filter((i) => input[i]!.id);
  const columns = firsts.map((i) => messageColumns(messages[i]!));
  const column = <T>(pick: (c: (typeof columns)[number], m: Message) => T) => columns.map((c, k) => pick(c, messages[firsts[k]!]!));
  const createdAt = now.toISOString();
  const searchTexts = columns.map((c) => c.searchText);
  const params = [
    column((_, m) => m.id),
    column((_, m) => m.otid),
    column(() => org),
    column(() => agentId),
    column((c) => c.conversationId),
    column((c) => c.runId),
    column((c) => c.stepId),
    column((c) => c.role),
    column((c) => JSON.stringify(c.content)),
    column((c) => JSON.stringify(c.toolCalls)),
    column((c) => c.toolCallId),
    column((c) => JSON.stringify(c.toolReturns)),
    column((c) => JSON.stringify(c.approvals)),
    column((c) => c.model),
    column((c) => c.name),
    column((c) => c.isErr),
    searchTexts,
    column(() => createdAt),
  ];
  return { org, agentId, messages, firsts, chosenIds, createdAt: now, params, searchTexts };
}

/** What full-text search indexes: english stemming of the message's search text. */
export const SEARCH_VECTOR = "to_tsvector('english', search_text)";

/**
 * Computes the batch's search vectors now, outside any transaction: stemming is most of the
 * database's work per message, and the INSERT then only parses the vectors, under the lock.
 */
export async function computeSearchVectors(em: EntityManager, batch: PreparedMessages): Promise<void> {
  if (batch.firsts.length === 0) return;
  const rows: { v: string }[] = await em.query(
    `SELECT ${SEARCH_VECTOR}::text AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(search_text, n) ORDER BY n`,
    [batch.searchTexts],
  );
  batch.searchVectors = rows.map((r) => r.v);
}

/**
 * One INSERT for the whole batch, one array parameter per column: a multi-row VALUES list
 * built by the ORM costs several times the database's own work at a thousand rows. Rows take
 * sequence ids in input order. An otid the agent already has is skipped by the unique index
 * itself (ON CONFLICT), so the common case, all new, needs no lookup first.
 */
const INSERT_MESSAGES = `
  INSERT INTO messages (id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
    tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at, search)
  SELECT id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
    tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at,
    coalesce(search, ${SEARCH_VECTOR})
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::jsonb[], $10::jsonb[], $11::text[], $12::jsonb[], $13::jsonb[], $14::text[], $15::text[], $16::boolean[],
    $17::text[], $18::timestamptz[], $19::tsvector[])
    WITH ORDINALITY AS r(id, otid, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls,
      tool_call_id, tool_returns, approvals, model, name, is_err, search_text, created_at, search, n)
  ORDER BY n
  ON CONFLICT (agent_id, otid) DO NOTHING
  RETURNING otid, sequence_id`;

/**
 * Writes a prepared batch, idempotent by otid: a message whose otid the agent already has (or
 * an earlier message of the batch has) comes back as stored and is not written again.
 * Must run in a transaction that holds the agent's lock (`lockAgent`), which orders sequence
 * ids by commit. Returns the messages in input order, with their ids and sequence ids.
 * A caller-chosen id that another message has is refused as INVALID_ARGUMENT `messages[i].id`.
 */
export async function insertMessages(em: EntityManager, batch: PreparedMessages): Promise<Message[]> {
  const { messages, firsts, agentId } = batch;
  await refuseTakenIds(em, batch);
  if (firsts.length === 0) return [];
  // Vectors not computed beforehand are computed by the INSERT ($19 null).
  const vectors = batch.searchVectors ?? batch.searchTexts.map(() => null);
  const inserted: { otid: string; sequence_id: string }[] = await em.query(INSERT_MESSAGES, [...batch.params, vectors]);
  const sequence = new Map(inserted.map((r) => [r.otid, r.sequence_id]));
  const { createdAt } = batch;
  // A written message is returned as given plus what the store assigned: converting it back
  // from its row would repeat the JSON round trip for every message of the batch.
  const byOtid = new Map<string, Message>();
  for (const i of firsts) {
    const m = messages[i]!;
    const sequenceId = sequence.get(m.otid);
    if (sequenceId !== undefined) byOtid.set(m.otid, { ...m, sequenceId, createdAt, updatedAt: undefined });
  }
  if (byOtid.size < firsts.length) {
    const missing = firsts.map((i) => messages[i]!.otid).filter((otid) => !byOtid.has(otid));
    for (const row of await storedWithOtids(em, agentId, missing)) byOtid.set(row.otid, toMessage(row));
  }
  return messages.map((m) => byOtid.get(m.otid)!);
}

/**
 * The agent's messages with these otids. Joined with unnest so that each otid is one probe of
 * the (agent_id, otid) unique index: as an `otid = ANY(...)` filter the planner scanned all of
 * a large agent's rows instead.
 */
async function storedWithOtids(em: EntityManager, agentId: string, otids: readonly string[]): Promise<MessageRow[]> {
  const hits: { sequence_id: string }[] = await em.query(
    "SELECT m.sequence_id FROM unnest($2::text[]) AS o(otid) JOIN messages m ON m.agent_id = $1 AND m.otid = o.otid",
    [agentId, otids],
  );
  if (hits.length === 0) return [];
  return em.findBy(MessageRow, { sequenceId: In(hits.map((h) => h.sequence_id)) });
}

/**
 * Ids the caller chose for messages to write must be new, and distinct within the batch. A
 * message whose otid is already stored is not written, so its id is not checked.
 */
async function refuseTakenIds(em: EntityManager, batch: PreparedMessages): Promise<void> {
  const chosen = batch.chosenIds;
  if (chosen.length === 0) return;
  const first = new Map<string, number>();
  for (const index of chosen) {
    const id = batch.messages[index]!.id;
    if (first.has(id)) throw invalidArgument(`messages[${index}].id`, `is also the id of messages[${first.get(id)}]`);
    first.set(id, index);
  }
  const taken: { id: string }[] = await em.query(
    `SELECT c.id FROM unnest($1::text[], $2::text[]) AS c(id, otid) JOIN messages m ON m.id = c.id
     WHERE NOT EXISTS (SELECT 1 FROM messages s WHERE s.agent_id = $3 AND s.otid = c.otid)
     LIMIT 1`,
    [chosen.map((i) => batch.messages[i]!.id), chosen.map((i) => batch.messages[i]!.otid), batch.agentId],
  );
  if (taken.length > 0) throw invalidArgument(`messages[${first.get(taken[0]!.id)}].id`, "is the id of another message");
}
