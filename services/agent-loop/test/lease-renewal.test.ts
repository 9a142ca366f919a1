import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "@conduit/logging";
import { ErrorType, Run, RunStatus } from "@conduit/proto/agent/v1";
import { LeaseRenewal, type LeaseStore } from "../src/runs/lease-renewal.js";

const REPLICA = "replica-a";
const TTL_MS = 3_000;

/** One local run whose renewal the store answers with `answer`; records cancels and warnings. */
function renewalOf(answer: { renewed: boolean; run: Partial<Run> }) {
  const cancels: string[] = [];
  const warnings: string[] = [];
  const store: LeaseStore = { renewLease: async (runId) => ({ renewed: answer.renewed, run: Run.fromPartial({ id: runId, ...answer.run }) }) };
  const runs = { runIds: () => ["run-1"], local: (runId: string) => ({ cancel: () => cancels.push(runId) }) };
  const log = { warn: (_fields: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
  const renewal = new LeaseRenewal({ store, runs, log, replicaId: REPLICA, leaseTtlMs: TTL_MS });
  return { renewal, cancels, warnings };
}

describe("LeaseRenewal", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function afterOneRound(answer: { renewed: boolean; run: Partial<Run> }) {
    const r = renewalOf(answer);
    await vi.advanceTimersByTimeAsync(TTL_MS / 3);
    r.renewal.stop();
    return r;
  }

  it("leaves a renewed run alone", async () => {
    const { cancels, warnings } = await afterOneRound({ renewed: true, run: { owner: REPLICA, status: RunStatus.RUN_STATUS_RUNNING } });
    expect(cancels).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("cancels a run a sweeper failed because this replica's lease ran out", async () => {
    const { cancels, warnings } = await afterOneRound({
      renewed: false,
      run: { owner: REPLICA, status: RunStatus.RUN_STATUS_FAILED, error: { errorType: ErrorType.ERROR_TYPE_OWNER_LOST, message: "", detail: "" } },
    });
    expect(cancels).toEqual(["run-1"]);
    expect(warnings).toEqual(["lost the lease of a running run; cancelling it here"]);
  });

  it("cancels a run another replica owns now", async () => {
    const { cancels } = await afterOneRound({ renewed: false, run: { owner: "replica-b", status: RunStatus.RUN_STATUS_RUNNING } });
    expect(cancels).toEqual(["run-1"]);
  });

  it("leaves alone a run that ended here while it finishes, without a warning", async () => {
    const { cancels, warnings } = await afterOneRound({ renewed: false, run: { owner: REPLICA, status: RunStatus.RUN_STATUS_COMPLETED } });
    expect(cancels).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
