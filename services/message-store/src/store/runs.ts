import { randomUUID } from "node:crypto";
import { QueryFailedError, type EntityManager } from "typeorm";
import type { QueryDeepPartialEntity } from "typeorm/query-builder/QueryPartialEntity.js";
import { notFound, ServiceError, Status } from "@conduit/grpc-kit";
import { RunStatus, runStatusFromJSON, runStatusToJSON, Usage, type RunError, type StopReason } from "@conduit/proto/agent/v1";
import { SortOrder } from "@conduit/proto/store/v1";
import { encodePageToken } from "../core/page-token.js";
import { isTerminal } from "../core/run-state.js";
import { RunLockRow, RunRow } from "../db/entities/index.js";
import { entityOf } from "../db/raw-row.js";
import { errorColumn, stopReasonColumn, usageColumn } from "../mappers/runs.js";
import { contextCtes, runContext, runContextColumns, runContextOf, type RunContext, type RunContextColumns } from "./context-query.js";
import { conversationBusy, leaseNotHeld, releaseRunLock } from "./run-locks.js";

/** Status names of runs that have not ended, as stored. */
export const ACTIVE_STATUSES = [RunStatus.RUN_STATUS_CREATED, RunStatus.RUN_STATUS_RUNNING].map(runStatusToJSON);

/** A lease end computed by the database clock, the one clock every replica's lease is judged by. */
const LEASE_FROM_NOW = () => "now() + :leaseTtlMs * interval '1 millisecond'";

export interface NewRun {
  agentId: string;
  conversationId?: string | undefined;
  background: boolean;
  idempotencyKey?: string | undefined;
  owner: string;
  leaseTtlMs: number;
  acquireLock: boolean;
  /** Created RUNNING, for an owner that starts it at once. */
  running: boolean;
  /** Also read what a created run starts from: its agent with blocks, and its context window. */
  includeContext: boolean;
}

/**
 * The run and, when asked (`$10`), its lock, in one statement: the agent is key-share locked
 * (it cannot be deleted meanwhile), the run inserted unless the agent has its idempotency key,
 * the lock row inserted for it. A lock another run holds fails the whole statement with a
 * unique violation, so a refused run leaves nothing behind. One round trip, no transaction.
 * With `$12`, a created run's context is read in the same statement, as the statement's
 * snapshot has it. That is the context under the lock unless `lock_was_held`: the lock's last
 * holder let go after the snapshot was taken, and its last writes are not in it.
 */
const CREATE_RUN = `
  WITH ${contextCtes(" FOR KEY SHARE")},
  run AS (
    INSERT INTO runs (id, organization_id, agent_id, conversation_id, status, background, owner, lease_expires_at, usage, idempotency_key)
    SELECT $4, $2, a.id, $3, $5, $6, $7, now() + $8 * interval '1 millisecond', $9::jsonb, $11 FROM a
    ON CONFLICT (agent_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING *
  ), lock AS (
    INSERT INTO run_locks (agent_id, conversation_key, run_id, organization_id)
    SELECT agent_id, coalesce(conversation_id, ''), id, organization_id FROM run WHERE $10
  )
  SELECT run.*, (SELECT count(*) FROM a)::int AS agent_found,
    EXISTS (SELECT 1 FROM run_locks WHERE agent_id = $1 AND conversation_key = coalesce($3, '')) AS lock_was_held,
    ${runContextColumns("$12 AND run.id IS NOT NULL")}
  FROM (SELECT 1) AS one LEFT JOIN run ON true`;

type CreatedRow = Record<string, unknown> & RunContextColumns & { agent_found: number; lock_was_held: boolean };

/**
 * Creates a run in CREATED (RUNNING with `running`), or returns the agent's run with the same
 * idempotency key (`created` false, nothing written). With `acquireLock`, the run takes its conversation's
 * lock at once; a busy lock throws CONVERSATION_BUSY and no run is written. With
 * `includeContext`, a created run comes with what it starts from, read once the lock is held.
 * Not for use inside a transaction: a busy lock is learnt from a failed statement.
 */
export async function createRun(
  em: EntityManager,
  org: string,
  input: NewRun,
): Promise<{ row: RunRow; created: boolean; context?: RunContext | undefined }> {
  const id = `run-${randomUUID()}`;
  const params = [
    input.agentId,
    org,
    input.conversationId ?? null,
    id,
    runStatusToJSON(input.running ? RunStatus.RUN_STATUS_RUNNING : RunStatus.RUN_STATUS_CREATED),
    input.background,
    input.owner,
    input.leaseTtlMs,
    JSON.stringify(usageColumn(Usage.fromPartial({}))),
    input.acquireLock,
    input.idempotencyKey ?? null,
    input.includeContext,
  ];
  // A holder that lets go between our insert and our read of it makes us try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    let rows: CreatedRow[];
    try {
      rows = await em.query(CREATE_RUN, params);
    } catch (err) {
      if (!isLockTaken(err)) throw err;
      const holder = await em.findOneBy(RunLockRow, { agentId: input.agentId, conversationKey: input.conversationId ?? "" });
      if (holder) throw conversationBusy(holder.runId);
      continue;
    }
    const [result] = rows;
    if (!result?.agent_found) throw notFound("agent", input.agentId);
    if (result.id === null) {
      // The only conflict a fresh id can meet is the agent's idempotency key.
      return { row: await em.findOneByOrFail(RunRow, { agentId: input.agentId, idempotencyKey: input.idempotencyKey! }), created: false };
    }
    const row = entityOf(em, RunRow, result);
    if (!input.includeContext) return { row, created: true };
    // Read again when the snapshot may lack the last holder's final writes.
    const context = result.lock_was_held ? await runContext(em, org, input.agentId, input.conversationId) : runContextOf(em, result);
    return { row, created: true, context };
  }
  throw new Error(`run lock of agent ${input.agentId} kept changing hands`);
}

function isLockTaken(err: unknown): boolean {
  const driver = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
  return driver?.code === "23505" && driver.constraint === "run_locks_pkey";
}

/**
 * Deletes a run of this owner that has done nothing yet (not ended, no step), its lock going
 * with it (cascade). One statement: a step committed meanwhile keeps the run. NOT_FOUND for an
 * unknown run, RUN_STARTED for one that ended or has a step, LEASE_NOT_HELD for another owner's.
 */
export async function discardRun(em: EntityManager, runId: string, owner: string): Promise<void> {
  // TypeORM answers a DELETE with [rows, count].
  const [deleted]: [{ id: string }[], number] = await em.query(
    `DELETE FROM runs WHERE id = $1 AND owner = $2 AND status = ANY($3::text[])
       AND NOT EXISTS (SELECT 1 FROM steps WHERE run_id = $1) RETURNING id`,
    [runId, owner, ACTIVE_STATUSES],
  );
  if (deleted.length > 0) return;
  const row = await findRun(em, runId);
  if (row.owner !== owner && !isTerminal(runStatusFromJSON(row.status))) throw leaseNotHeld(runId, row.owner);
  throw new ServiceError(Status.FAILED_PRECONDITION, "RUN_STARTED", `run ${runId} has ended or done a step; it cannot be discarded`, {
    metadata: { run_id: runId, status: row.status },
  });
}

/** A run of the organization; another organization's run is NOT_FOUND like a missing one. */
export async function getRun(em: EntityManager, org: string, runId: string): Promise<RunRow> {
  const row = await em.findOneBy(RunRow, { id: runId, organizationId: org });
  if (!row) throw notFound("run", runId);
  return row;
}

/** A run by id in any organization: run control addresses runs globally. */
export async function findRun(em: EntityManager, runId: string): Promise<RunRow> {
  const row = await em.findOneBy(RunRow, { id: runId });
  if (!row) throw notFound("run", runId);
  return row;
}

export interface RunQuery {
  agentId?: string | undefined;
  conversationId?: string | undefined;
  statuses: RunStatus[];
  activeOnly: boolean;
  background?: boolean | undefined;
  limit: number;
  after: string | undefined;
  order: SortOrder;
}

/** A page of the organization's runs in creation order (DESC unless ASC is asked for). */
export async function listRuns(em: EntityManager, org: string, q: RunQuery): Promise<{ rows: RunRow[]; nextPageToken: string }> {
  const asc = q.order === SortOrder.SORT_ORDER_ASC;
  const query = em
    .createQueryBuilder(RunRow, "r")
    .where("r.organization_id = :org", { org })
    .orderBy("r.seq", asc ? "ASC" : "DESC")
    .limit(q.limit + 1);
  if (q.agentId) query.andWhere("r.agent_id = :agentId", { agentId: q.agentId });
  if (q.conversationId) query.andWhere("r.conversation_id = :conversationId", { conversationId: q.conversationId });
  if (q.statuses.length > 0) query.andWhere("r.status IN (:...statuses)", { statuses: q.statuses.map(runStatusToJSON) });
  if (q.activeOnly) query.andWhere("r.status IN (:...active)", { active: ACTIVE_STATUSES });
  if (q.background !== undefined) query.andWhere("r.background = :background", { background: q.background });
  if (q.after) query.andWhere(asc ? "r.seq > :after" : "r.seq < :after", { after: q.after });
  const rows = await query.getMany();
  const page = rows.slice(0, q.limit);
  return { rows: page, nextPageToken: rows.length > q.limit ? encodePageToken(page.at(-1)!.seq) : "" };
}

export interface RunTransition {
  runId: string;
  expected: RunStatus;
  next: RunStatus;
  stopReason: StopReason;
  usage: Usage | undefined;
  error: RunError | undefined;
  ttftMs: number | undefined;
  owner: { owner: string; leaseTtlMs: number } | undefined;
  expectedOwner: string | undefined;
  onlyIfLeaseExpired: boolean;
}

/**
 * The compare-and-set: one conditional UPDATE, so of concurrent transitions from one status
 * exactly one matches. Returns whether this one won and the run as it is now (the winner's
 * state when it lost). Ending a run also ends its lease and frees its lock.
 */
export async function transitionRun(em: EntityManager, t: RunTransition): Promise<{ won: boolean; row: RunRow }> {
  const terminal = isTerminal(t.next);
  const set: QueryDeepPartialEntity<RunRow> = { status: runStatusToJSON(t.next), updatedAt: () => "now()" };
  if (t.next === RunStatus.RUN_STATUS_RUNNING) set.startedAt = () => "COALESCE(started_at, now())";
  if (t.usage) set.usage = usageColumn(t.usage);
  if (t.error) set.error = errorColumn(t.error);
  if (t.ttftMs !== undefined) set.ttftMs = t.ttftMs;
  if (t.owner) Object.assign(set, { owner: t.owner.owner, leaseExpiresAt: LEASE_FROM_NOW });
  if (terminal) Object.assign(set, { stopReason: stopReasonColumn(t.stopReason), completedAt: () => "now()", leaseExpiresAt: null });
  const update = em
    .createQueryBuilder()
    .update(RunRow)
    .set(set)
    .where("id = :runId AND status = :expected", { runId: t.runId, expected: runStatusToJSON(t.expected) })
    .setParameter("leaseTtlMs", t.owner?.leaseTtlMs ?? 0);
  if (t.expectedOwner !== undefined) update.andWhere("owner = :expectedOwner", { expectedOwner: t.expectedOwner });
  if (t.onlyIfLeaseExpired) update.andWhere("lease_expires_at < now()");
  const [written] = (await update.returning("*").execute()).raw as Record<string, unknown>[];
  if (written && terminal) await releaseRunLock(em, t.runId);
  // The winner has the row it wrote; a loser reads the one that beat it.
  return { won: written !== undefined, row: written ? entityOf(em, RunRow, written) : await findRun(em, t.runId) };
}

/** Extends the lease while `owner` owns the run and it has not ended; otherwise changes nothing. */
export async function renewLease(
  em: EntityManager,
  runId: string,
  owner: string,
  ttlMs: number,
): Promise<{ renewed: boolean; row: RunRow }> {
  const result = await em
    .createQueryBuilder()
    .update(RunRow)
    .set({ leaseExpiresAt: LEASE_FROM_NOW, updatedAt: () => "now()" })
    .where("id = :runId AND owner = :owner AND status IN (:...active)", { runId, owner, active: ACTIVE_STATUSES })
    .setParameter("leaseTtlMs", ttlMs)
    .returning("*")
    .execute();
  const [written] = result.raw as Record<string, unknown>[];
  return { renewed: written !== undefined, row: written ? entityOf(em, RunRow, written) : await findRun(em, runId) };
}

/** Runs of every organization that have not ended and whose lease expired, oldest expiry first. */
export function listExpiredLeases(em: EntityManager, limit: number): Promise<RunRow[]> {
  return em
    .createQueryBuilder(RunRow, "r")
    .where("r.status IN (:...active) AND r.lease_expires_at < now()", { active: ACTIVE_STATUSES })
    .orderBy("r.lease_expires_at", "ASC")
    .addOrderBy("r.seq", "ASC")
    .limit(limit)
    .getMany();
}

/** Locks a run of the organization for the rest of the transaction (take the agent's lock first). */
export async function lockRun(em: EntityManager, org: string, runId: string): Promise<RunRow> {
  const row = await em
    .createQueryBuilder(RunRow, "r")
    .setLock("pessimistic_write")
    .where("r.id = :runId AND r.organization_id = :org", { runId, org })
    .getOne();
  if (!row) throw notFound("run", runId);
  return row;
}

/** Replaces a run's usage totals (the caller holds the run's row lock); returns its new `updated_at`. */
export async function setRunUsage(em: EntityManager, runId: string, usage: Usage): Promise<Date> {
  const updatedAt = new Date();
  await em.createQueryBuilder().update(RunRow).set({ usage: usageColumn(usage), updatedAt }).where("id = :runId", { runId }).execute();
  return updatedAt;
}
