import { QueryFailedError, type EntityManager } from "typeorm";
import { notFound, ServiceError, Status } from "@conduit/grpc-kit";
import type { MemoryBlock } from "@conduit/proto/agent/v1";
import {
  codePointLength,
  effectiveLimit,
  newBlock,
  planBlockUpdate,
  type BlockFields,
  type BlockKey,
  type BlockViolation,
} from "../core/memory-block-rules.js";
import { AgentRow, MemoryBlockRow } from "../db/entities/index.js";
import { toMemoryBlock } from "../mappers/agents.js";
import { lockAgent, newBlockRow, touchAgent } from "./agents.js";

/*
 * Memory blocks, addressed by (agent, label). Every write holds the agent's row lock, so the
 * checks before it (label free, value fits) still hold when it lands; the database's
 * constraints back them up.
 */

const blockNotFound = (label: string) =>
  new ServiceError(Status.NOT_FOUND, "BLOCK_NOT_FOUND", `memory block "${label}" not found`, { metadata: { label } });

const labelExists = (label: string) =>
  new ServiceError(Status.ALREADY_EXISTS, "BLOCK_LABEL_EXISTS", `the agent already has a memory block "${label}"`, {
    metadata: { label },
  });

function violation(v: BlockViolation): ServiceError {
  switch (v.kind) {
    case "read_only":
      return new ServiceError(Status.FAILED_PRECONDITION, "BLOCK_READ_ONLY", `memory block "${v.label}" is read-only`, {
        metadata: { label: v.label },
      });
    case "limit_exceeded":
      return new ServiceError(
        Status.INVALID_ARGUMENT,
        "BLOCK_LIMIT_EXCEEDED",
        `memory block "${v.label}": value is ${v.length} characters, over its limit of ${v.limit}`,
        { metadata: { label: v.label, limit: String(v.limit), length: String(v.length) } },
      );
  }
}

/** Maps a constraint the checks should have caught to the same error they give. */
function constraintError(label: string, block: BlockFields) {
  return (err: unknown): never => {
    const code = err instanceof QueryFailedError ? (err.driverError as { code?: string }).code : undefined;
    if (code === "23505") throw labelExists(block.label);
    if (code === "23514") {
      throw violation({ kind: "limit_exceeded", label, limit: effectiveLimit(block.limit), length: codePointLength(block.value) });
    }
    throw err;
  };
}

async function requireAgent(em: EntityManager, org: string, agentId: string): Promise<void> {
  if (!(await em.existsBy(AgentRow, { id: agentId, organizationId: org }))) throw notFound("agent", agentId);
}

export async function listBlocks(em: EntityManager, org: string, agentId: string): Promise<MemoryBlock[]> {
  await requireAgent(em, org, agentId);
  const rows = await em.find(MemoryBlockRow, { where: { agentId, organizationId: org }, order: { seq: "ASC" } });
  return rows.map(toMemoryBlock);
}

export async function getBlock(em: EntityManager, org: string, agentId: string, label: string): Promise<MemoryBlock> {
  const row = await em.findOneBy(MemoryBlockRow, { agentId, label, organizationId: org });
  if (row) return toMemoryBlock(row);
  await requireAgent(em, org, agentId);
  throw blockNotFound(label);
}

/** Adds a block (in the caller's transaction). */
export async function createBlock(em: EntityManager, org: string, agentId: string, fields: BlockFields): Promise<MemoryBlock> {
  await lockAgent(em, org, agentId);
  const planned = newBlock(fields);
  if (!planned.ok) throw violation(planned.violation);
  if (await em.existsBy(MemoryBlockRow, { agentId, label: fields.label })) throw labelExists(fields.label);
  const now = new Date();
  const row = newBlockRow(org, agentId, { ...planned.block, id: "", agentId, createdAt: now, updatedAt: now }, now);
  await em.insert(MemoryBlockRow, row).catch(constraintError(fields.label, planned.block));
  await touchAgent(em, org, agentId, now);
  return toMemoryBlock(row);
}

/** Replaces the masked fields of the block now labelled `label` (in the caller's transaction). */
export async function updateBlock(
  em: EntityManager,
  org: string,
  agentId: string,
  label: string,
  patch: BlockFields,
  keys: ReadonlySet<BlockKey>,
): Promise<MemoryBlock> {
  await lockAgent(em, org, agentId);
  const row = await em.findOneBy(MemoryBlockRow, { agentId, label, organizationId: org });
  if (!row) throw blockNotFound(label);
  const planned = planBlockUpdate(blockFields(row), patch, keys);
  if (!planned.ok) throw violation(planned.violation);
  const next = planned.block;
  if (next.label !== row.label && (await em.existsBy(MemoryBlockRow, { agentId, label: next.label }))) throw labelExists(next.label);
  const now = new Date();
  await em.update(MemoryBlockRow, { id: row.id }, { ...next, updatedAt: now }).catch(constraintError(label, next));
  await touchAgent(em, org, agentId, now);
  return toMemoryBlock(Object.assign(row, next, { updatedAt: now }));
}

/** Deletes the block labelled `label` (in the caller's transaction). */
export async function deleteBlock(em: EntityManager, org: string, agentId: string, label: string): Promise<void> {
  await lockAgent(em, org, agentId);
  const row = await em.findOneBy(MemoryBlockRow, { agentId, label, organizationId: org });
  if (!row) throw blockNotFound(label);
  await em.delete(MemoryBlockRow, { id: row.id });
  await touchAgent(em, org, agentId, new Date());
}

const blockFields = (row: MemoryBlockRow): BlockFields => ({
  label: row.label,
  value: row.value,
  limit: row.limit,
  description: row.description,
  readOnly: row.readOnly,
});
