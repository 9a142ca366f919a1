import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { notFound } from "@conduit/grpc-kit";
import { AgentType, type Agent, type MemoryBlock } from "@conduit/proto/agent/v1";
import { AgentRow, MemoryBlockRow } from "../db/entities/index.js";
import { agentColumns, toAgent } from "../mappers/agents.js";

export const AGENT_DEFAULTS = { agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" } as const;
export const DEFAULT_BLOCK_LIMIT = 20_000;

/** Creates an agent and its memory blocks in the caller's transaction. */
export async function createAgent(em: EntityManager, org: string, agent: Agent): Promise<Agent> {
  const now = new Date();
  const row = em.create(AgentRow, {
    ...agentColumns({
      ...agent,
      agentType: agent.agentType || AGENT_DEFAULTS.agentType,
      maxSteps: agent.maxSteps || AGENT_DEFAULTS.maxSteps,
      timezone: agent.timezone || AGENT_DEFAULTS.timezone,
      messageIds: [],
    }),
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
  const row = await em.findOneBy(AgentRow, { id: agentId, organizationId: org });
  if (!row) throw notFound("agent", agentId);
  const blocks = await em.find(MemoryBlockRow, { where: { agentId }, order: { seq: "ASC" } });
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
