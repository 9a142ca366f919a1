import { describe, expect, it } from "vitest";
import { ErrorType, MessageRole, StopReason, ToolReturnStatus, type Agent, type Message, type Run } from "@conduit/proto/agent/v1";
import type { CompletionEvent } from "@conduit/proto/provider/v1";
import type { RunStore } from "../src/core/ports.js";
import { runLoop, type StepPiece } from "../src/core/run-loop.js";
import { reactStrategy } from "../src/core/strategies/react.js";
import { emptyMessage } from "../src/core/turn.js";

const agent = {
  id: "agent-1",
  system: "",
  memoryBlocks: [],
  toolRules: [],
  model: "test/model",
  tools: [{ name: "conversation_search", description: "", jsonSchema: undefined, requiresApproval: false, executor: 1 }],
} as unknown as Agent;
const run = { id: "run-1", agentId: "agent-1", status: 2 } as Run;
const input: Message = { ...emptyMessage(), id: "message-input", role: MessageRole.MESSAGE_ROLE_USER };

/** A store that records commits in memory; `failCommits` makes CommitStep fail. */
function memoryStore(opts: { failCommits?: boolean; search?: (signal: AbortSignal) => Promise<Message[]> } = {}) {
  const commits: Message[][] = [];
  const ends: unknown[] = [];
  const store: Partial<RunStore> = {
    getAgent: async () => agent,
    async commitStep(_step, messages, { end }) {
      if (opts.failCommits) throw new Error("store down");
      commits.push(messages);
      ends.push(end);
      return { run, messages, ended: end !== undefined };
    },
    searchMessages: (_q, { signal }) => opts.search?.(signal) ?? Promise.resolve([]),
  };
  return { store: store as RunStore, commits, ends };
}

let n = 0;
const deps = (store: RunStore, stream: (signal: AbortSignal) => AsyncIterable<CompletionEvent>) => ({
  store,
  model: { stream: (_r: unknown, { signal }: { signal: AbortSignal }) => stream(signal) },
  external: { execute: () => Promise.reject(new Error("no external tools here")) },
  ids: { messageId: () => `message-${String(++n).padStart(12, "0")}`, stepId: () => `step-${++n}`, toolCallId: () => `call_${++n}` },
  clock: { now: () => new Date() },
  persistSignal: () => new AbortController().signal,
  trace: <T>(_name: string, _attributes: object, fn: () => Promise<T>) => fn(),
});
const plan = { run, agent, strategy: reactStrategy, history: [], input: [input], clientTools: [], maxSteps: 5, streamTokens: true };
const text = (t: string): CompletionEvent => ({ event: { $case: "textDelta", value: { text: t } } });
const search = (): CompletionEvent => ({ event: { $case: "toolCallDelta", value: { index: 0, id: "call_s", name: "conversation_search", argumentsDelta: '{"query":"q"}' } } });

/** Resolves when the signal aborts, like any layer of a run waiting on I/O. */
const aborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

describe("runLoop", () => {
  it("on a cancel mid-stream keeps what streamed, with its calls closed, and stops cancelled", async () => {
    const { store, commits } = memoryStore();
    const controller = new AbortController();
    const pieces: StepPiece[] = [];
    const end = await runLoop(
      deps(store, async function* (signal) {
        yield text("partial");
        yield search();
        controller.abort();
        await aborted(signal);
      }),
      plan,
      (p) => pieces.push(p),
      controller.signal,
    );
    expect(end.state).toEqual({ kind: "stopped", stopReason: StopReason.STOP_REASON_CANCELLED });
    const [messages] = commits;
    expect(messages!.map((m) => m.role)).toEqual([MessageRole.MESSAGE_ROLE_USER, MessageRole.MESSAGE_ROLE_ASSISTANT, MessageRole.MESSAGE_ROLE_TOOL]);
    expect(messages![1]!.isErr).toBe(false);
    expect(messages![2]!.toolReturns).toEqual([expect.objectContaining({ toolCallId: "call_s", status: ToolReturnStatus.TOOL_RETURN_STATUS_ERROR })]);
    expect(pieces.map((p) => p.payload.$case)).toEqual(["assistant", "toolCall", "toolReturn"]);
  });

  it("on a cancel while a tool runs answers the call as cancelled and stops cancelled", async () => {
    const controller = new AbortController();
    const { store, commits } = memoryStore({
      search: (signal) => {
        controller.abort();
        return aborted(signal);
      },
    });
    const end = await runLoop(deps(store, async function* () { yield search(); }), plan, () => {}, controller.signal);
    expect(end.state.stopReason).toBe(StopReason.STOP_REASON_CANCELLED);
    const returns = commits[0]!.find((m) => m.role === MessageRole.MESSAGE_ROLE_TOOL)!.toolReturns;
    expect(returns[0]!.parts[0]!.part).toMatchObject({ $case: "text", value: { text: "Error: the call was cancelled by the user" } });
  });

  it("ends the run with its last step's commit", async () => {
    const { store, commits, ends } = memoryStore();
    let calls = 0;
    const model = async function* () {
      yield calls++ === 0 ? search() : text("done");
    };
    const loop = await runLoop(deps(store, model), plan, () => {}, new AbortController().signal);
    expect(commits).toHaveLength(2);
    expect(ends).toEqual([undefined, { stopReason: StopReason.STOP_REASON_END_TURN, error: undefined, ttftMs: expect.any(Number) }]);
    expect(loop.ended).toBe(true);
  });

  it("stops with an internal error when a step cannot be saved", async () => {
    const { store } = memoryStore({ failCommits: true });
    const end = await runLoop(deps(store, async function* () { yield text("hi"); }), plan, () => {}, new AbortController().signal);
    expect(end.state).toMatchObject({ stopReason: StopReason.STOP_REASON_ERROR, failure: { error: { errorType: ErrorType.ERROR_TYPE_INTERNAL_ERROR, detail: "store down" } } });
  });
});
