import { describe, expect, it } from "vitest";
import { RunStatus, StopReason, Usage } from "@conduit/proto/agent/v1";
import { addStepUsage, canMove, isActive, isTerminal, statusForStopReason, transitionProblem } from "../src/core/run-state.js";

const { RUN_STATUS_CREATED: CREATED, RUN_STATUS_RUNNING: RUNNING, RUN_STATUS_COMPLETED: COMPLETED } = RunStatus;
const { RUN_STATUS_FAILED: FAILED, RUN_STATUS_CANCELLED: CANCELLED } = RunStatus;
const STATUSES = [CREATED, RUNNING, COMPLETED, FAILED, CANCELLED];

describe("run state machine", () => {
  it("allows exactly CREATED → RUNNING|FAILED|CANCELLED and RUNNING → RUNNING|COMPLETED|FAILED|CANCELLED", () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canMove(from, to)).map((to) => `${RunStatus[from]}→${RunStatus[to]}`));
    expect(allowed).toEqual([
      "RUN_STATUS_CREATED→RUN_STATUS_RUNNING",
      "RUN_STATUS_CREATED→RUN_STATUS_FAILED",
      "RUN_STATUS_CREATED→RUN_STATUS_CANCELLED",
      "RUN_STATUS_RUNNING→RUN_STATUS_RUNNING",
      "RUN_STATUS_RUNNING→RUN_STATUS_COMPLETED",
      "RUN_STATUS_RUNNING→RUN_STATUS_FAILED",
      "RUN_STATUS_RUNNING→RUN_STATUS_CANCELLED",
    ]);
  });

  it("treats COMPLETED, FAILED and CANCELLED as terminal and final", () => {
    for (const from of [COMPLETED, FAILED, CANCELLED]) {
      expect(isTerminal(from)).toBe(true);
      expect(isActive(from)).toBe(false);
      for (const to of STATUSES) expect(transitionProblem(from, to, StopReason.STOP_REASON_END_TURN)).toMatch(/terminal/);
    }
    expect([CREATED, RUNNING].map(isActive)).toEqual([true, true]);
  });

  it("maps every stop reason to the terminal status run.proto gives it", () => {
    const byStatus = (status: RunStatus) =>
      Object.values(StopReason)
        .filter((r): r is StopReason => typeof r === "number" && statusForStopReason(r) === status)
        .map((r) => StopReason[r]);
    expect(byStatus(COMPLETED)).toEqual([
      "STOP_REASON_END_TURN",
      "STOP_REASON_MAX_STEPS",
      "STOP_REASON_TOOL_RULE",
      "STOP_REASON_REQUIRES_APPROVAL",
    ]);
    expect(byStatus(FAILED)).toEqual([
      "STOP_REASON_ERROR",
      "STOP_REASON_LLM_API_ERROR",
      "STOP_REASON_INVALID_LLM_RESPONSE",
      "STOP_REASON_INVALID_TOOL_CALL",
      "STOP_REASON_NO_TOOL_CALL",
      "STOP_REASON_MAX_TOKENS_EXCEEDED",
      "STOP_REASON_CONTEXT_WINDOW_OVERFLOW",
    ]);
    expect(byStatus(CANCELLED)).toEqual(["STOP_REASON_CANCELLED"]);
    expect(statusForStopReason(StopReason.STOP_REASON_UNSPECIFIED)).toBeUndefined();
  });

  it("requires a matching stop reason to end a run and refuses one on an active status", () => {
    expect(transitionProblem(RUNNING, COMPLETED, StopReason.STOP_REASON_END_TURN)).toBeUndefined();
    expect(transitionProblem(CREATED, CANCELLED, StopReason.STOP_REASON_CANCELLED)).toBeUndefined();
    expect(transitionProblem(RUNNING, COMPLETED, StopReason.STOP_REASON_UNSPECIFIED)).toMatch(/needs a stop reason/);
    expect(transitionProblem(RUNNING, FAILED, StopReason.STOP_REASON_END_TURN)).toMatch(/does not map/);
    expect(transitionProblem(CREATED, RUNNING, StopReason.STOP_REASON_END_TURN)).toMatch(/only a terminal status/);
    expect(transitionProblem(CREATED, COMPLETED, StopReason.STOP_REASON_END_TURN)).toMatch(/does not allow/);
    expect(transitionProblem(CREATED, CREATED, StopReason.STOP_REASON_UNSPECIFIED)).toMatch(/does not allow/);
  });
});

describe("run usage totals", () => {
  it("sums the counts a step reported and leaves unreported counts unset, never 0", () => {
    const first = addStepUsage(Usage.fromPartial({}), { promptTokens: 100, completionTokens: 20, stepCount: 1 });
    expect(first).toEqual({ promptTokens: 100, completionTokens: 20, stepCount: 1 });
    expect(first.reasoningTokens).toBeUndefined();
    const second = addStepUsage(first, { promptTokens: 150, reasoningTokens: 5, stepCount: 1 });
    expect(second).toEqual({ promptTokens: 250, completionTokens: 20, reasoningTokens: 5, stepCount: 2 });
  });

  it("counts a step that reported no usage at all", () => {
    expect(addStepUsage({ promptTokens: 7, stepCount: 3 }, undefined)).toEqual({ promptTokens: 7, stepCount: 4 });
  });

  it("keeps the latest context size instead of summing it", () => {
    const total = addStepUsage(addStepUsage(Usage.fromPartial({}), { contextTokens: 900, stepCount: 1 }), { contextTokens: 1200, stepCount: 1 });
    expect(total.contextTokens).toBe(1200);
  });
});
