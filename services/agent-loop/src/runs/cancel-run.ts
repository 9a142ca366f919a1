import { MessageRole, RunStatus, StopReason, type Run } from "@conduit/proto/agent/v1";
import { blockOtid } from "../core/ids.js";
import type { IdGenerator, Signalled } from "../core/ports.js";
import { pendingRequestOf } from "../core/tools/tool-kinds.js";
import { cancelledReturn } from "../core/tools/tool-returns.js";
import { emptyMessage } from "../core/turn.js";
import type { OrganizationStore } from "../adapters/store-client.js";
import type { RunHost } from "./run-host.js";
import { runMetrics } from "./run-metrics.js";

export const isEnded = (run: Run) =>
  run.status === RunStatus.RUN_STATUS_COMPLETED || run.status === RunStatus.RUN_STATUS_FAILED || run.status === RunStatus.RUN_STATUS_CANCELLED;

/**
 * Cancels a run from any replica: its owner aborts it (the owner's stream ends with
 * stop{cancelled}); this waits until the owner says it ended, or `confirmMs`, and returns the
 * run as the store has it. An ended run is returned unchanged — except that a run waiting for
 * approvals has its pending calls answered as cancelled, so the agent takes new messages.
 */
export async function cancelRun(
  deps: { runs: RunHost; store: OrganizationStore; ids: IdGenerator; confirmMs: number },
  organizationId: string,
  runId: string,
  opts: Signalled,
): Promise<Run> {
  const watch = deps.runs.whenEnded(runId, deps.confirmMs);
  try {
    // The cancel goes out before the store is read: the owner checks the organization itself,
    // and a cancel of an ended or unknown run changes nothing.
    deps.runs.requestCancel(runId, organizationId);
    const run = await deps.store.getRun(runId, opts);
    if (isEnded(run)) {
      if (run.stopReason === StopReason.STOP_REASON_REQUIRES_APPROVAL) await closePendingRequest(deps, run, opts);
      return run;
    }
    const asked = performance.now();
    await watch.ended;
    runMetrics.cancelLatency.observe((performance.now() - asked) / 1000);
    return await deps.store.getRun(runId, opts);
  } finally {
    watch.dispose();
  }
}

async function closePendingRequest(deps: { store: OrganizationStore; ids: IdGenerator }, run: Run, opts: Signalled): Promise<void> {
  const agent = await deps.store.getAgent(run.agentId, opts);
  const pending = pendingRequestOf(await deps.store.contextMessages(run.agentId, run.conversationId, opts), agent.tools);
  if (!pending || pending.runId !== run.id) return;
  const id = deps.ids.messageId();
  const calls = pending.assistant.toolCalls;
  await deps.store.appendToContext(
    run.agentId,
    [
      {
        ...emptyMessage(),
        id,
        otid: blockOtid(id, 0),
        agentId: run.agentId,
        conversationId: run.conversationId,
        runId: run.id,
        role: MessageRole.MESSAGE_ROLE_TOOL,
        toolReturns: calls.map((c) => cancelledReturn(c.id)),
        toolCallId: calls.length === 1 ? calls[0]!.id : undefined,
        name: calls.length === 1 ? calls[0]!.name : undefined,
      },
    ],
    opts,
  );
}
