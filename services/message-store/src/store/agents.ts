import { randomUUID } from "node:crypto";
import { In, type EntityManager } from "typeorm";
import { notFound, ServiceError, Status } from "@conduit/grpc-kit";
import type { Agent, MemoryBlock } from "@conduit/proto/agent/v1";
import { AGENT_DEFAULTS, withAgentDefaults } from "../core/agent-settings.js";
import { DEFAULT_BLOCK_LIMIT } from "../core/memory-block-rules.js";
import { encodePageToken } from "../core/page-token.js";
import { AgentRow, MemoryBlockRow, MessageRow, RunRow } from "../db/entities/index.js";
import { agentColumns, toAgent, toAgents } from "../mappers/agents.js";
import { ACTIVE_STATUSES } from "./runs.js";

export { AGENT_DEFAULTS, DEFAULT_BLOCK_LIMIT };

/** Creates an agent and its memory blocks in the caller's transaction. */
export async function createAgent(em: EntityManager, org: string, agent: Agent): Promise<Agent> {
  const now = new Date();
  const row = em.create(AgentRow, {
    ...agentColumns({ ...withAgentDefaults(agent), messageIds: [] }),
    id: `agent-${randomUUID()}`,
    organizationId: org,
    createdAt: now,
    updatedAt: now,
  });
  await em.insert(AgentRow, row);
  const blocks = agent.memoryBlocks.map((b) => newBlockRow(org, row.id, b, now));
  if (blocks.length > 0) await em.insert(MemoryBlockRow, blocks);
  return getAgent(em, org, row.id);
}

export function newBlockRow(org: string, agentId: string, block: MemoryBlock, now: Date): MemoryBlockRow {
  return Object.assign(new MemoryBlockRow(), {
    id: `block-${randomUUID()}`,
    organizationId: org,
    agentId,
    label: block.label,
    value: block.value,
    limit: block.limit || DEFAULT_BLOCK_LIMIT,
    description: block.description,
    readOnly: block.readOnly,
    createdAt: now,
    updatedAt: now,
  });
}

/** The agent with its blocks; another organization's agent is NOT_FOUND like a missing one. */
export async function getAgent(em: EntityManager, org: string, agentId: string): Promise<Agent> {
  // Both reads at once: the blocks of an agent the organization cannot see are never returned.
  const [row, blocks] = await Promise.all([
    em.findOneBy(AgentRow, { id: agentId, organizationId: org }),
    em.find(MemoryBlockRow, { where: { agentId }, order: { seq: "ASC" } }),
  ]);
  if (!row) throw notFound("agent", agentId);
  return toAgent(row, blocks);
}

/**
 * Locks the agent's row for the rest of the transaction and returns it. Every write that
 * assigns message sequence ids takes this lock first, so an agent's sequence ids are
 * committed in increasing order and a reader's cursor never skips a late commit.
 */
export async function lockAgent(em: EntityManager, org: string, agentId: string): Promise<AgentRow> {
  const row = await em
    .createQueryBuilder(AgentRow, "a")
    .setLock("pessimistic_write")
    .where("a.id = :agentId AND a.organization_id = :org", { agentId, org })
    .getOne();
  if (!row) throw notFound("agent", agentId);
  return row;
}

/**
 * Locks the agent of a run, as `lockAgent` does, in one round trip; returns the agent's id.
 * NOT_FOUND names the run when the organization has no such run.
 */
export async function lockAgentOfRun(em: EntityManager, org: string, runId: string): Promise<string> {
  const rows: { id: string }[] = await em.query(
    "SELECT a.id FROM runs r JOIN agents a ON a.id = r.agent_id WHERE r.id = $1 AND r.organization_id = $2 FOR UPDATE OF a",
    [runId, org],
  );
  if (rows.length === 0) throw notFound("run", runId);
  return rows[0]!.id;
}

export interface AgentQuery {
  /** Case-insensitive substring of the name; empty means every agent. */
  nameContains: string;
  limit: number;
  /** The `seq` the page continues after (in `order`). */
  after: string | undefined;
  order: "ASC" | "DESC";
}

/** A page of the organization's agents in creation order, each with its blocks (one query for all of them). */
export async function listAgents(em: EntityManager, org: string, q: AgentQuery): Promise<{ agents: Agent[]; nextPageToken: string }> {
  const query = em
    .createQueryBuilder(AgentRow, "a")
    .where("a.organization_id = :org", { org })
    .orderBy("a.seq", q.order)
    .limit(q.limit + 1);
  if (q.nameContains) query.andWhere(`a.name ILIKE :pattern ESCAPE '\\'`, { pattern: `%${escapeLike(q.nameContains)}%` });
  if (q.after) query.andWhere(q.order === "ASC" ? "a.seq > :after" : "a.seq < :after", { after: q.after });
  const rows = await query.getMany();
  const page = rows.slice(0, q.limit);
  const blocks = page.length > 0 ? await em.find(MemoryBlockRow, { where: { agentId: In(page.map((a) => a.id)) }, order: { seq: "ASC" } }) : [];
  return {
    agents: toAgents(page, blocks),
    nextPageToken: rows.length > q.limit ? encodePageToken(page.at(-1)!.seq) : "",
  };
}

/** `%`, `_` and `\` match themselves in a LIKE pattern once escaped. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

type AgentColumn = keyof ReturnType<typeof agentColumns>;

/** Writes the named settings of `next` (the caller holds the agent's lock) and bumps `updated_at`. */
export async function updateAgent(em: EntityManager, org: string, next: Agent, keys: ReadonlySet<AgentColumn>): Promise<Agent> {
  const columns = agentColumns(next);
  const changed = Object.fromEntries([...keys].map((key) => [key, columns[key]]));
  await em.update(AgentRow, { id: next.id, organizationId: org }, { ...changed, updatedAt: new Date() });
  return getAgent(em, org, next.id);
}

/** The ids in `messageIds` that are not messages of this agent. */
export async function foreignMessageIds(em: EntityManager, org: string, agentId: string, messageIds: readonly string[]): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const rows: { id: string }[] = await em
    .createQueryBuilder(MessageRow, "m")
    .select("m.id", "id")
    .where("m.agent_id = :agentId AND m.organization_id = :org AND m.id = ANY(:ids)", { agentId, org, ids: [...messageIds] })
    .getRawMany();
  const own = new Set(rows.map((r) => r.id));
  return messageIds.filter((id) => !own.has(id));
}

/**
 * Deletes the agent and, by cascade, its blocks, messages, runs, steps and locks. The agent's
 * row lock comes first, so no run can start between the check for active runs and the delete.
 */
export async function deleteAgent(em: EntityManager, org: string, agentId: string): Promise<void> {
  await lockAgent(em, org, agentId);
  const active = await em
    .createQueryBuilder(RunRow, "r")
    .select("r.id", "id")
    .where("r.agent_id = :agentId AND r.status IN (:...statuses)", { agentId, statuses: ACTIVE_STATUSES })
    .orderBy("r.seq", "ASC")
    .limit(1)
    .getRawOne<{ id: string }>();
  if (active) {
    throw new ServiceError(Status.FAILED_PRECONDITION, "CONVERSATION_BUSY", `agent ${agentId} has an active run ${active.id}`, {
      metadata: { active_run_id: active.id },
    });
  }
  await em.delete(AgentRow, { id: agentId, organizationId: org });
}

/** Marks the agent changed (a block of it changed). */
export async function touchAgent(em: EntityManager, org: string, agentId: string, now: Date): Promise<void> {
  await em.update(AgentRow, { id: agentId, organizationId: org }, { updatedAt: now });
}
