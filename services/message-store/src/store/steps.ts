import { randomUUID } from "node:crypto";
import { In, QueryFailedError, type EntityManager } from "typeorm";
import { invalidArgument } from "@conduit/grpc-kit";
import { runStatusFromJSON, Usage, type Message, type Run, type Step } from "@conduit/proto/agent/v1";
import { addStepUsage, isActive } from "../core/run-state.js";
import { MessageRow, StepRow, type RunRow } from "../db/entities/index.js";
import { toMessage } from "../mappers/messages.js";
import { stepColumns, toRun, toStep, usageColumn } from "../mappers/runs.js";
import { lockAgentOfRun } from "./agents.js";
import { appendContextIds, writeContextIds } from "./contexts.js";
import { insertMessages, prepareMessages } from "./messages-write.js";
import { leaseNotHeld, runEnded } from "./run-locks.js";
import { getRun, lockRun, setRunUsage } from "./runs.js";

export interface StepCommit {
  step: Step;
  messages: Message[];
  /** Replaces the conversation's in-context list when set; otherwise the written ids are appended. */
  inContextIds: string[] | undefined;
  expectedOwner: string | undefined;
}

export interface CommittedStep {
  step: Step;
  messages: Message[];
  run: Run;
}

/**
 * Writes everything one step produced, in the caller's transaction: the step row, its
 * messages (with the run's ids and conversation), its usage added to the run's totals and the
 * in-context list. Any failure throws, and the transaction takes all of it back. Idempotent by
 * step id: a stored step comes back with its messages and nothing is written.
 */
export async function commitStep(em: EntityManager, org: string, commit: StepCommit): Promise<CommittedStep> {
  const agentId = await lockAgentOfRun(em, org, commit.step.runId);
  const run = await lockRun(em, org, commit.step.runId);
  if (!isActive(runStatusFromJSON(run.status))) throw runEnded(run.id);
  if (commit.expectedOwner !== undefined && run.owner !== commit.expectedOwner) throw leaseNotHeld(run.id, run.owner);

  const stored = commit.step.id ? await em.findOneBy(StepRow, { id: commit.step.id }) : null;
  if (stored) {
    if (stored.runId !== run.id) throw invalidArgument("step.id", "is the id of a step of another run");
    return { step: toStep(stored), messages: await messagesOfStep(em, stored.id), run: toRun(run) };
  }
  checkOwnership(commit, run);

  const stepId = commit.step.id || `step-${randomUUID()}`;
  const now = new Date();
  const stepRow = Object.assign(new StepRow(), {
    ...stepColumns({ ...commit.step, usage: { ...(commit.step.usage ?? Usage.fromPartial({})), stepCount: 1 } }),
    id: stepId,
    organizationId: org,
    runId: run.id,
    agentId,
    createdAt: commit.step.createdAt ?? now,
    completedAt: commit.step.completedAt ?? now,
  });
  const conversationId = run.conversationId ?? undefined;
  const messages = await insertMessages(
    em,
    prepareMessages(org, agentId, commit.messages.map((m) => ({ ...m, runId: run.id, stepId, conversationId }))),
  );
  await insertStep(em, stepRow);
  const usage = addStepUsage(Usage.fromJSON(run.usage), commit.step.usage);
  const updatedAt = await setRunUsage(em, run.id, usage);
  if (commit.inContextIds) {
    await checkMessagesOfAgent(em, agentId, commit.inContextIds);
    await writeContextIds(em, org, agentId, conversationId, commit.inContextIds);
  } else {
    await appendContextIds(em, org, agentId, conversationId, messages.map((m) => m.id));
  }
  // The step and the run as written: reading them back would cost two more round trips.
  return { step: toStep(stepRow), messages, run: toRun(Object.assign(run, { usage: usageColumn(usage), updatedAt })) };
}

/** The steps of a run of the organization, by step number. */
export async function listSteps(em: EntityManager, org: string, runId: string): Promise<Step[]> {
  await getRun(em, org, runId);
  const rows = await em.find(StepRow, { where: { runId, organizationId: org }, order: { stepNumber: "ASC" } });
  return rows.map(toStep);
}

async function messagesOfStep(em: EntityManager, stepId: string): Promise<Message[]> {
  const rows = await em.find(MessageRow, { where: { stepId }, order: { sequenceId: "ASC" } });
  return rows.map(toMessage);
}

/** Messages and the step row are the run's: ids that name something else are refused. */
function checkOwnership(commit: StepCommit, run: RunRow): void {
  if (commit.step.agentId && commit.step.agentId !== run.agentId) throw invalidArgument("step.agent_id", "is not the run's agent");
  commit.messages.forEach((m, i) => {
    const clash = (field: string, given: string | undefined, own: string | undefined) => {
      if (given && given !== own) throw invalidArgument(`messages[${i}].${field}`, "does not match the step's run");
    };
    clash("agent_id", m.agentId, run.agentId);
    clash("run_id", m.runId, run.id);
    clash("step_id", m.stepId, commit.step.id || undefined);
    clash("conversation_id", m.conversationId, run.conversationId ?? undefined);
  });
}

async function checkMessagesOfAgent(em: EntityManager, agentId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await em.find(MessageRow, { select: { id: true }, where: { agentId, id: In(ids) } })).map((r) => r.id));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) throw invalidArgument(`in_context_message_ids.ids[${missing}]`, "is not a message of the run's agent");
}

/** The run's step numbers are unique: a taken one is the caller's mistake, named as such. */
async function insertStep(em: EntityManager, row: StepRow): Promise<void> {
  try {
    await em.insert(StepRow, row);
  } catch (err) {
    const driver = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
    if (driver?.code === "23505" && driver.constraint === "steps_run_number") {
      throw invalidArgument("step.step_number", `the run already has a step ${row.stepNumber}`);
    }
    throw err;
  }
}
