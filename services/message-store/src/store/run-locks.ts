import type { EntityManager } from "typeorm";
import { notFound, ServiceError, Status } from "@conduit/grpc-kit";
import { runStatusFromJSON } from "@conduit/proto/agent/v1";
import { isActive } from "../core/run-state.js";
import { RunLockRow, RunRow } from "../db/entities/index.js";

/*
 * The one-active-run lock: a `run_locks` row per agent (conversation_key '') or conversation,
 * naming the run that holds it. Taking it is an INSERT that does nothing on conflict, so of
 * concurrent takers the database lets exactly one in.
 *
 * Lock order, to rule out deadlocks with CommitStep (agent row, then run row): the agent row
 * first (key-share here), then the run row.
 */

export const conversationBusy = (activeRunId: string) =>
  new ServiceError(Status.FAILED_PRECONDITION, "CONVERSATION_BUSY", `run ${activeRunId} is active in this conversation`, {
    metadata: { active_run_id: activeRunId },
  });

export const runEnded = (runId: string) =>
  new ServiceError(Status.FAILED_PRECONDITION, "RUN_ENDED", `run ${runId} has ended`, { metadata: { run_id: runId } });

export const leaseNotHeld = (runId: string, owner: string | null) =>
  new ServiceError(Status.FAILED_PRECONDITION, "LEASE_NOT_HELD", `run ${runId} is owned by another replica`, {
    metadata: { run_id: runId, owner: owner ?? "" },
  });

/** Which lock a run takes: its conversation's, or its agent's default conversation's (''). */
export const conversationKey = (run: Pick<RunRow, "conversationId">): string => run.conversationId ?? "";

/**
 * Takes the lock for an active run of any organization; holding it already is success. The run
 * row is share-locked until commit so that it cannot end between the check and the insert
 * (which would leave an ended run holding the lock).
 */
export async function acquireRunLock(em: EntityManager, runId: string): Promise<RunRow> {
  const found = await em.findOneBy(RunRow, { id: runId });
  if (!found) throw notFound("run", runId);
  await em.query("SELECT 1 FROM agents WHERE id = $1 FOR KEY SHARE", [found.agentId]);
  const run = await em.createQueryBuilder(RunRow, "r").setLock("pessimistic_read").where("r.id = :runId", { runId }).getOne();
  if (!run) throw notFound("run", runId);
  if (!isActive(runStatusFromJSON(run.status))) throw runEnded(runId);
  await takeRunLock(em, run);
  return run;
}

/** Inserts the lock row for the run; throws CONVERSATION_BUSY when another run holds it. */
export async function takeRunLock(em: EntityManager, run: RunRow): Promise<void> {
  const key = { agentId: run.agentId, conversationKey: conversationKey(run) };
  // A holder that lets go between our insert and our read makes us try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(RunLockRow)
      .values({ ...key, runId: run.id, organizationId: run.organizationId })
      .orIgnore()
      .returning(["runId"])
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return;
    const holder = await em.findOneBy(RunLockRow, key);
    if (holder?.runId === run.id) return;
    if (holder) throw conversationBusy(holder.runId);
  }
  throw new Error(`run lock of ${run.id} kept changing hands`);
}

/** Frees the lock if this run holds it; says whether it did. */
export async function releaseRunLock(em: EntityManager, runId: string): Promise<boolean> {
  const deleted = await em
    .createQueryBuilder()
    .delete()
    .from(RunLockRow)
    .where("run_id = :runId", { runId })
    .returning(["runId"])
    .execute();
  return (deleted.raw as unknown[]).length > 0;
}
