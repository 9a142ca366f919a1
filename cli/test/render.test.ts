import { describe, expect, it } from "vitest";
import { ErrorType, StopReason, ToolReturnStatus, type RunEvent } from "@conduit/proto/agent/v1";
import { exitCodeFor, RunRenderer } from "../src/render.js";
import { styleFor } from "../src/style.js";

type Payload = NonNullable<RunEvent["payload"]>;
const ev = (payload: Payload): RunEvent => ({ runId: "run-1", seqId: "1", createdAt: undefined, payload });
const reasoning = (delta: string) => ev({ $case: "reasoning", value: { content: { $case: "delta", value: delta }, source: 1 } });
const assistant = (delta: string) => ev({ $case: "assistant", value: { content: { $case: "delta", value: delta } } });
const toolCall = (toolCallId: string, argumentsDelta: string, name?: string) =>
  ev({ $case: "toolCall", value: { toolCallId, argumentsDelta, ...(name ? { name } : {}) } });
const toolReturn = (ok: boolean, text: string) =>
  ev({
    $case: "toolReturn",
    value: {
      toolCallId: "c1",
      status: ok ? ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS : ToolReturnStatus.TOOL_RETURN_STATUS_ERROR,
      parts: [{ part: { $case: "text", value: { text } } }],
      stdout: [],
      stderr: [],
    },
  });
const stop = (stopReason: StopReason) => ev({ $case: "stop", value: { stopReason } });

function render(events: RunEvent[], opts: { colors?: boolean; showApprovals?: boolean } = {}) {
  let out = "";
  const r = new RunRenderer((t) => (out += t), { style: styleFor(opts.colors ?? false, {}), showApprovals: opts.showApprovals ?? false });
  for (const e of events) r.event(e);
  r.end();
  return { out, stopReason: r.stopReason };
}

describe("RunRenderer", () => {
  it("writes reasoning then the answer as they arrive, each on its own line", () => {
    const { out } = render([reasoning("Let me "), reasoning("think."), assistant("Hello"), assistant(", world"), stop(StopReason.STOP_REASON_END_TURN)]);
    expect(out).toBe("thinking: Let me think.\nHello, world\n");
  });

  it("dims reasoning with ANSI 2 when colors are on, and writes no escape codes when they are off", () => {
    expect(render([reasoning("hmm"), assistant("ok")], { colors: true }).out).toBe("\x1b[2mthinking: \x1b[22m\x1b[2mhmm\x1b[22m\nok\n");
    expect(render([reasoning("hmm"), assistant("ok")]).out).not.toContain("\x1b");
  });

  it("shows a tool call whose arguments arrive in pieces as one compact line, then its result's first line", () => {
    const { out } = render([
      toolCall("c1", '{"label": "hu', "memory_replace"),
      toolCall("c1", 'man", "new_text": "Grace"}'),
      toolReturn(true, "Edited.\nmore detail"),
      toolReturn(false, "Error: denied"),
    ]);
    expect(out).toBe('→ memory_replace(label: "human", new_text: "Grace")\n← ok: Edited.\n← error: Error: denied\n');
  });

  it("shows parallel calls on separate lines", () => {
    const { out } = render([toolCall("a", "{}", "first"), toolCall("b", '{"x":1}', "second"), assistant("done")]);
    expect(out).toBe("→ first()\n→ second(x: 1)\ndone\n");
  });

  it("says when the run was cancelled or failed, and nothing extra for an ended turn", () => {
    expect(render([assistant("Half a"), stop(StopReason.STOP_REASON_CANCELLED)]).out).toBe("Half a\nrun cancelled\n");
    const failed = render([
      ev({ $case: "error", value: { errorType: ErrorType.ERROR_TYPE_LLM_TIMEOUT, message: "the model timed out", detail: "" } }),
      stop(StopReason.STOP_REASON_LLM_API_ERROR),
    ]);
    expect(failed.out).toBe("error (llm_timeout): the model timed out\nrun stopped: llm_api_error\n");
  });

  it("lists pending approvals only when asked to", () => {
    const request = ev({
      $case: "approvalRequest",
      value: { requestId: "m1", toolCalls: [{ id: "call_1", name: "delete_all", argumentsJson: '{"really":true}' }] },
    });
    expect(render([request, stop(StopReason.STOP_REASON_REQUIRES_APPROVAL)]).out).toBe("");
    expect(render([request, stop(StopReason.STOP_REASON_REQUIRES_APPROVAL)], { showApprovals: true }).out).toBe(
      "? approval needed: delete_all(really: true) [call_1]\nrun waits for approval\n",
    );
  });

  it("keeps the stop reason for the exit code: 0 for completed runs, 1 for failed, cancelled or unfinished ones", () => {
    expect(exitCodeFor(render([stop(StopReason.STOP_REASON_END_TURN)]).stopReason)).toBe(0);
    expect(exitCodeFor(StopReason.STOP_REASON_REQUIRES_APPROVAL)).toBe(0);
    expect(exitCodeFor(StopReason.STOP_REASON_MAX_STEPS)).toBe(0);
    expect(exitCodeFor(StopReason.STOP_REASON_CANCELLED)).toBe(1);
    expect(exitCodeFor(StopReason.STOP_REASON_ERROR)).toBe(1);
    expect(exitCodeFor(undefined)).toBe(1);
  });
});
