import type { EntityManager } from "typeorm";
import { invalidArgument, notFound, ServiceError, Status } from "@conduit/grpc-kit";
import { Message, MessageRole, messageRoleToJSON } from "@conduit/proto/agent/v1";
import { isEmptyRange, pageOf, type Direction, type Page, type SequenceRange } from "../core/message-cursor.js";
import { AgentRow, MessageRow, RunRow } from "../db/entities/index.js";
import { messageColumns, messageRowOf, toMessage } from "../mappers/messages.js";
import { lockAgent } from "./agents.js";
import { CONTEXT_MESSAGES, contextCtes, messagesOf, PAGE_JSON } from "./context-query.js";
import { appendContextIds } from "./contexts.js";
import { insertMessages, SEARCH_VECTOR, type PreparedMessages } from "./messages-write.js";

/** What ListMessages filters on. Every index of the messages table leads with agent or run. */
export interface MessageFilter {
  agentId: string;
  conversationId?: string | undefined;
  runId?: string | undefined;
  roles: readonly MessageRole[];
  range: SequenceRange;
  direction: Direction;
  limit: number;
}

/** SearchMessages: a ListMessages filter plus web-search text and a creation-time window. */
export interface SearchFilter extends MessageFilter {
  query: string;
  startTime?: Date | undefined;
  endTime?: Date | undefined;
}

const EDITABLE_ROLES: ReadonlySet<MessageRole> = new Set([
  MessageRole.MESSAGE_ROLE_SYSTEM,
  MessageRole.MESSAGE_ROLE_USER,
  MessageRole.MESSAGE_ROLE_ASSISTANT,
]);

/**
 * Appends messages under the agent's lock (idempotent by otid) and, when asked, adds them to
 * the in-context list of the conversation each stored message belongs to.
 */
export async function appendMessages(em: EntityManager, batch: PreparedMessages, addToContext: boolean): Promise<Message[]> {
  const { org, agentId } = batch;
  await lockAgent(em, org, agentId);
  await checkRunsOfAgent(em, org, agentId, batch.messages);
  const stored = await insertMessages(em, batch);
  if (addToContext) {
    const byConversation = new Map<string | undefined, string[]>();
    for (const m of stored) {
      if (!byConversation.has(m.conversationId)) byConversation.set(m.conversationId, []);
      byConversation.get(m.conversationId)!.push(m.id);
    }
    for (const [conversationId, ids] of byConversation) await appendContextIds(em, org, agentId, conversationId, ids);
  }
  return stored;
}

export async function listMessages(em: EntityManager, org: string, filter: MessageFilter): Promise<Page<Message>> {
  return page(em, org, filter, pageQuery(org, filter));
}

/** Postgres full-text search (english stemming) on the `search` column, in sequence order. */
export async function searchMessages(em: EntityManager, org: string, filter: SearchFilter): Promise<Page<Message>> {
  const query = pageQuery(org, filter);
  query.where.push(`search @@ websearch_to_tsquery('english', ${query.param(filter.query)})`);
  if (filter.startTime) query.where.push(`created_at >= ${query.param(filter.startTime)}`);
  if (filter.endTime) query.where.push(`created_at < ${query.param(filter.endTime)}`);
  return page(em, org, filter, query);
}

export async function getMessage(em: EntityManager, org: string, messageId: string): Promise<Message> {
  const row = await em.findOneBy(MessageRow, { id: messageId, organizationId: org });
  if (!row) throw notFound("message", messageId);
  return toMessage(row);
}

/**
 * Replaces the masked fields (content, name) of a system, user or assistant message, with its
 * search text; `updated_at` says when.
 */
export async function updateMessage(
  em: EntityManager,
  org: string,
  patch: Message,
  keys: ReadonlySet<"content" | "name">,
  maxBytes: number,
): Promise<Message> {
  const row = await em
    .createQueryBuilder(MessageRow, "m")
    .setLock("pessimistic_write")
    .where("m.id = :id AND m.organization_id = :org", { id: patch.id, org })
    .getOne();
  if (!row) throw notFound("message", patch.id);
  const current = toMessage(row);
  if (!EDITABLE_ROLES.has(current.role)) throw notEditable(current);
  const next: Message = {
    ...current,
    content: keys.has("content") ? patch.content : current.content,
    name: keys.has("name") ? patch.name || undefined : current.name,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(Message.toJSON(next))).byteLength;
  if (bytes > maxBytes) throw invalidArgument("message.content", `the message would be ${bytes} bytes as JSON; at most ${maxBytes}`);
  const { content, name, searchText } = messageColumns(next);
  await em.update(MessageRow, { sequenceId: row.sequenceId }, { content, name, searchText, updatedAt: new Date() });
  await em.query(`UPDATE messages SET search = ${SEARCH_VECTOR} WHERE sequence_id = $1`, [row.sequenceId]);
  return toMessage(await em.findOneByOrFail(MessageRow, { sequenceId: row.sequenceId }));
}

/**
 * The conversation's in-context messages in list order; ids whose message is gone are skipped.
 * One statement: the agent (NOT_FOUND for another organization's), its list (on the agent row
 * for the default conversation, on the conversation's row otherwise) and the messages.
 */
export async function listContextMessages(
  em: EntityManager,
  org: string,
  agentId: string,
  conversationId: string | undefined,
): Promise<Message[]> {
  const [row]: [{ found: number; messages: string }] = await em.query(
    `WITH ${contextCtes("")} SELECT (SELECT count(*) FROM a)::int AS found, ${CONTEXT_MESSAGES} AS messages`,
    [agentId, org, conversationId ?? null],
  );
  if (!row.found) throw notFound("agent", agentId);
  return messagesOf(row.messages);
}


/** A page's SQL under construction: WHERE terms and their positional parameters. */
interface PageQuery {
  where: string[];
  params: unknown[];
  /** Adds a parameter; returns its placeholder. */
  param(value: unknown): string;
}


/**
 * The filter of one page. Each filter combination is served by an index scan of
 * (agent_id, sequence_id), (agent_id, conversation_id, sequence_id) or (run_id, sequence_id)
 * that stops after the page. Raw SQL: the ORM's query building and row hydration cost more
 * than the database's own work for a page of a hundred messages.
 */
function pageQuery(org: string, f: MessageFilter): PageQuery {
  const query: PageQuery = {
    where: [],
    params: [],
    param(value) {
      this.params.push(value);
      return `$${this.params.length}`;
    },
  };
  query.where.push(`agent_id = ${query.param(f.agentId)}`, `organization_id = ${query.param(org)}`);
  if (f.conversationId !== undefined) query.where.push(`conversation_id = ${query.param(f.conversationId)}`);
  if (f.runId !== undefined) query.where.push(`run_id = ${query.param(f.runId)}`);
  if (f.roles.length > 0) query.where.push(`role = ANY(${query.param(f.roles.map(messageRoleToJSON))}::text[])`);
  if (f.range.after !== undefined) query.where.push(`sequence_id > ${query.param(f.range.after)}`);
  if (f.range.before !== undefined) query.where.push(`sequence_id < ${query.param(f.range.before)}`);
  return query;
}

/** Runs the page query (`limit + 1` rows in cursor order); an empty page still answers NOT_FOUND for an agent the caller cannot see. */
async function page(em: EntityManager, org: string, f: MessageFilter, query: PageQuery): Promise<Page<Message>> {
  let rows: Record<string, unknown>[] = [];
  if (!isEmptyRange(f.range)) {
    const order = f.direction === "asc" ? "ASC" : "DESC";
    const [{ page }]: [{ page: string }] = await em.query(
      `SELECT coalesce(json_agg(row ORDER BY sequence_id ${order}), '[]')::text AS page FROM (
         SELECT sequence_id, ${PAGE_JSON} AS row
         FROM messages WHERE ${query.where.join(" AND ")} ORDER BY sequence_id ${order} LIMIT ${f.limit + 1}) p`,
      query.params,
    );
    rows = JSON.parse(page) as Record<string, unknown>[];
  }
  if (rows.length === 0) await requireAgent(em, org, f.agentId);
  const cut = pageOf(rows, f.limit, (row) => row.sequence_id as string);
  return { ...cut, items: cut.items.map((row) => toMessage(messageRowOf(row))) };
}

async function requireAgent(em: EntityManager, org: string, agentId: string): Promise<void> {
  if (!(await em.existsBy(AgentRow, { id: agentId, organizationId: org }))) throw notFound("agent", agentId);
}

/** A message may name a run only of its own agent: anything else is NOT_FOUND like an unknown run. */
async function checkRunsOfAgent(em: EntityManager, org: string, agentId: string, messages: readonly Message[]): Promise<void> {
  const runIds = [...new Set(messages.flatMap((m) => (m.runId ? [m.runId] : [])))];
  if (runIds.length === 0) return;
  const found = await em
    .createQueryBuilder(RunRow, "r")
    .select("r.id", "id")
    .where("r.id = ANY(:runIds) AND r.agent_id = :agentId AND r.organization_id = :org", { runIds, agentId, org })
    .getRawMany<{ id: string }>();
  const known = new Set(found.map((r) => r.id));
  const missing = runIds.find((id) => !known.has(id));
  if (missing) throw notFound("run", missing);
}

const notEditable = (m: Message) =>
  new ServiceError(
    Status.FAILED_PRECONDITION,
    "MESSAGE_NOT_EDITABLE",
    `message ${m.id} is a ${messageRoleToJSON(m.role)} message; only system, user and assistant messages can be edited`,
    { metadata: { message_id: m.id, role: messageRoleToJSON(m.role) } },
  );
