import { invalidArgument, ServiceError, Status } from "@conduit/grpc-kit";
import { RunStatus, runStatusToJSON } from "@conduit/proto/agent/v1";
import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { ORGANIZATION_HEADER } from "../auth/principal.js";
import { decodePageToken } from "../core/page-token.js";
import { statusForStopReason, transitionProblem } from "../core/run-state.js";
import { toRun } from "../mappers/runs.js";
import { getAgent } from "../store/agents.js";
import { acquireRunLock, releaseRunLock } from "../store/run-locks.js";
import { createRun, discardRun, findRun, getRun, listExpiredLeases, listRuns, renewLease, transitionRun } from "../store/runs.js";
import { commitStep, listSteps } from "../store/steps.js";
import {
  commitStepRequest,
  createRunRequest,
  discardRunRequest,
  listExpiredLeasesRequest,
  listRunsRequest,
  renewLeaseRequest,
  runIdRequest,
  transitionRunRequest,
} from "./run-schemas.js";
import { rpc, type HandlerDeps } from "./rpc.js";

/**
 * Runs, run locks, leases and steps. Run control (everything but GetRun, ListRuns and
 * ListSteps) takes only agent-loop's credential; RPCs that address a run by id act on it in
 * whichever organization it is, the others act for the organization agent-loop names.
 */
export function runHandlers(deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {
    createRun: rpc.internal(deps, "CreateRun", createRunRequest, async (input, { org, db }) => {
      const organization = requireOrganization(org);
      const { row, created, context } = await createRun(db.manager, organization, input);
      return { run: toRun(row), created, agent: context?.agent, contextMessages: context?.messages ?? [] };
    }),

    discardRun: rpc.internal(deps, "DiscardRun", discardRunRequest, async (input, { db }) => {
      await discardRun(db.manager, input.runId, input.owner);
      return {};
    }),

    getRun: rpc.caller(deps, "GetRun", runIdRequest, async (input, { org, db }) => ({
      run: toRun(await getRun(db.manager, org, input.runId)),
    })),

    listRuns: rpc.caller(deps, "ListRuns", listRunsRequest, async (input, { org, db }) => {
      const after = input.pageToken ? decodePageToken(input.pageToken) : undefined;
      if (input.pageToken && !after) throw invalidArgument("page_token", "not a page token from this RPC");
      if (input.agentId) await getAgent(db.manager, org, input.agentId);
      const page = await listRuns(db.manager, org, { ...input, after });
      return { runs: page.rows.map(toRun), nextPageToken: page.nextPageToken };
    }),

    transitionRun: rpc.internal(deps, "TransitionRun", transitionRunRequest, async (input, { db }) => {
      const problem = transitionProblem(input.expectedStatus, input.newStatus, input.stopReason);
      if (problem) {
        throw new ServiceError(Status.FAILED_PRECONDITION, "INVALID_TRANSITION", problem, {
          metadata: { from: runStatusToJSON(input.expectedStatus), to: runStatusToJSON(input.newStatus) },
        });
      }
      const { won, row } = await db.transaction((em) =>
        transitionRun(em, {
          runId: input.runId,
          expected: input.expectedStatus,
          next: input.newStatus,
          stopReason: input.stopReason,
          usage: input.usage,
          error: input.error,
          ttftMs: input.ttftMs,
          owner: input.owner === undefined ? undefined : { owner: input.owner, leaseTtlMs: input.leaseTtlMs! },
          expectedOwner: input.expectedOwner,
          onlyIfLeaseExpired: input.onlyIfLeaseExpired,
        }),
      );
      return { won, run: toRun(row) };
    }),

    acquireRunLock: rpc.internal(deps, "AcquireRunLock", runIdRequest, async (input, { db }) => ({
      run: toRun(await db.transaction((em) => acquireRunLock(em, input.runId))),
    })),

    releaseRunLock: rpc.internal(deps, "ReleaseRunLock", runIdRequest, async (input, { db }) => ({
      released: await db.transaction(async (em) => {
        await findRun(em, input.runId);
        return releaseRunLock(em, input.runId);
      }),
    })),

    renewLease: rpc.internal(deps, "RenewLease", renewLeaseRequest, async (input, { db }) => {
      const { renewed, row } = await db.transaction((em) => renewLease(em, input.runId, input.owner, input.ttlMs));
      return { renewed, run: toRun(row) };
    }),

    listExpiredLeases: rpc.internal(deps, "ListExpiredLeases", listExpiredLeasesRequest, async (input, { db }) => ({
      runs: (await listExpiredLeases(db.manager, input.limit)).map(toRun),
    })),

    commitStep: rpc.internal(deps, "CommitStep", commitStepRequest, async (input, { org, db }) => {
      const organization = requireOrganization(org);
      return db.transaction(async (em) => {
        const committed = await commitStep(em, organization, {
          step: input.step,
          messages: input.messages,
          inContextIds: input.inContextMessageIds?.ids,
          expectedOwner: input.expectedOwner,
        });
        const end = input.endRun;
        if (!end) return { ...committed, runEnded: false };
        const { won, row } = await transitionRun(em, {
          runId: committed.run.id,
          expected: RunStatus.RUN_STATUS_RUNNING,
          next: statusForStopReason(end.stopReason)!,
          stopReason: end.stopReason,
          error: end.error,
          ttftMs: end.ttftMs,
          usage: undefined,
          owner: undefined,
          expectedOwner: undefined,
          onlyIfLeaseExpired: false,
        });
        return { ...committed, run: won ? toRun(row) : committed.run, runEnded: won };
      });
    }),

    listSteps: rpc.caller(deps, "ListSteps", runIdRequest, async (input, { org, db }) => ({
      steps: await listSteps(db.manager, org, input.runId),
    })),
  };
}

/** Run control that creates or writes rows acts for the organization agent-loop names. */
function requireOrganization(org: string | undefined): string {
  if (org) return org;
  throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", `${ORGANIZATION_HEADER} metadata is required`, {
    metadata: { field: ORGANIZATION_HEADER },
  });
}
