// The SQL that reads a conversation's context window and what a run starts from, shared by
// ListContextMessages and CreateRun: a module of its own, as the stores using it import each other.
import type { EntityManager } from "typeorm";
import { notFound } from "@conduit/grpc-kit";
import type { Agent, Message } from "@conduit/proto/agent/v1";
import { AgentRow, MemoryBlockRow } from "../db/entities/index.js";
import { entityOfJson } from "../db/raw-row.js";
import { toAgent } from "../mappers/agents.js";
import { messageRowOf, toMessage } from "../mappers/messages.js";

/**
 * A page's rows as one JSON array: one native JSON.parse instead of the driver parsing each of
 * a hundred rows' twenty fields (timestamps, jsonb) on its own. The search columns are left out.
 */
export const PAGE_JSON = `json_build_object(
  'sequence_id', sequence_id::text, 'id', id, 'organization_id', organization_id, 'agent_id', agent_id,
  'conversation_id', conversation_id, 'run_id', run_id, 'step_id', step_id, 'role', role, 'content', content,
  'tool_calls', tool_calls, 'tool_call_id', tool_call_id, 'tool_returns', tool_returns, 'approvals', approvals,
  'model', model, 'name', name, 'otid', otid, 'is_err', is_err, 'created_at', created_at, 'updated_at', updated_at)`;

/** What a run starts from: the agent with its blocks, and the context window as listContextMessages reads it. */
export interface RunContext {
  agent: Agent;
  messages: Message[];
}

/** What a run starts from, in one statement. */
export async function runContext(em: EntityManager, org: string, agentId: string, conversationId: string | undefined): Promise<RunContext> {
  const [row]: [RunContextColumns & { found: number }] = await em.query(
    `WITH ${contextCtes("")} SELECT (SELECT count(*) FROM a)::int AS found, ${runContextColumns()}`,
    [agentId, org, conversationId ?? null],
  );
  if (!row.found) throw notFound("agent", agentId);
  return runContextOf(em, row);
}

/**
 * The agent row `a` ($1 agent, $2 organization; `lock` is a locking clause for it) and `ctx`,
 * the ids of the conversation's ($3) context window: CTEs for a statement that reads a context.
 */
export const contextCtes = (lock: string) => `
  a AS (SELECT * FROM agents WHERE id = $1 AND organization_id = $2${lock}),
  ctx AS (
    SELECT CASE WHEN $3::text IS NULL THEN a.message_ids ELSE coalesce(c.message_ids, '[]') END AS ids
    FROM a LEFT JOIN conversation_contexts c
      ON $3::text IS NOT NULL AND c.agent_id = a.id AND c.conversation_id = $3 AND c.organization_id = a.organization_id)`;

/** The context window's messages as JSON text, over `contextCtes`. */
export const CONTEXT_MESSAGES = `(SELECT coalesce(json_agg(${PAGE_JSON} ORDER BY e.n), '[]')::text
     FROM ctx, jsonb_array_elements_text(ctx.ids) WITH ORDINALITY AS e(message_id, n)
     JOIN messages ON messages.id = e.message_id AND messages.agent_id = $1 AND messages.organization_id = $2)`;

/**
 * A run's context as JSON text columns over `contextCtes`, read only `when` that SQL condition
 * holds. Its blocks are read by agent id alone: use them only once `a` was found.
 */
export function runContextColumns(when?: string): string {
  const only = (sql: string) => (when ? `CASE WHEN ${when} THEN ${sql} END` : sql);
  return `${only(CONTEXT_MESSAGES)} AS context_messages,
    ${only("(SELECT row_to_json(a)::text FROM a)")} AS context_agent,
    ${only("(SELECT coalesce(json_agg(b ORDER BY b.seq), '[]')::text FROM memory_blocks b WHERE b.agent_id = $1)")} AS context_blocks`;
}

export interface RunContextColumns {
  context_messages: string;
  context_agent: string;
  context_blocks: string;
}

/** A run's context from the columns of `runContextColumns`. */
export function runContextOf(em: EntityManager, row: RunContextColumns): RunContext {
  const blocks = (JSON.parse(row.context_blocks) as Record<string, unknown>[]).map((b) => entityOfJson(em, MemoryBlockRow, b));
  const agent = entityOfJson(em, AgentRow, JSON.parse(row.context_agent) as Record<string, unknown>);
  return { agent: toAgent(agent, blocks), messages: messagesOf(row.context_messages) };
}

/** Messages from the JSON array text of `CONTEXT_MESSAGES`. */
export const messagesOf = (json: string): Message[] => (JSON.parse(json) as Record<string, unknown>[]).map((raw) => toMessage(messageRowOf(raw)));
