import { callStream, callUnary } from "@conduit/grpc-kit";
import { SendMessageRequest, StopReason, type Approval, type ApprovalRequestEvent, type MessageCreate } from "@conduit/proto/agent/v1";
import type { Command, Context } from "./command.js";
import { describeError } from "./errors.js";
import { callSignature } from "./format.js";
import { approvalMessage, decision, userMessage } from "./input.js";
import { Prompter } from "./prompter.js";
import { RunRenderer } from "./render.js";

export const chat: Command = {
  spec: {
    name: "chat",
    args: ["<agent>"],
    summary: "Talks with an agent: each line you type is sent, and the run streams back as it happens.",
    options: {},
    notes: [
      "Reasoning is dimmed, tool calls show as `→ name(args)` and their results as `← ok|error: …`.",
      "When a tool needs approval you are asked y/N, and for a reason when you say no.",
      "Ctrl-C during a run cancels it and the session goes on; Ctrl-C or Ctrl-D at the prompt leaves.",
    ],
  },
  async run(ctx, args) {
    const agentId = args.positionals[0]!;
    const { store } = ctx.api;
    const agent = (await callUnary(store.getAgent.bind(store), { agentId }, ctx.api.unary())).agent!;
    const terminal = Boolean(ctx.io.stdin.isTTY && ctx.io.stdout.isTTY);
    const prompter = new Prompter(ctx.io.stdin, ctx.io.stdout, terminal);
    ctx.out(`${ctx.style.dim(`chat with ${agent.name} (${agent.id}). Ctrl-C cancels a run; Ctrl-D leaves.`)}\n`);
    try {
      for (;;) {
        // Off a terminal the lines come from a script: no prompt between the answers.
        const answer = await prompter.ask(terminal ? "> " : "");
        if (answer.kind !== "line") break;
        const text = answer.text.trim();
        if (text) await converse(ctx, prompter, agentId, [userMessage(text)]);
      }
    } finally {
      prompter.close();
    }
    if (terminal) ctx.out("\n");
    return 0;
  },
};

/** Sends the input, then answers approval requests until the agent is done with it. */
async function converse(ctx: Context, prompter: Prompter, agentId: string, input: MessageCreate[]): Promise<void> {
  let next: MessageCreate[] | undefined = input;
  while (next) {
    const turn = await streamTurn(ctx, prompter, agentId, next);
    next = undefined;
    if (!turn.approval || turn.stopReason !== StopReason.STOP_REASON_REQUIRES_APPROVAL) continue;
    const answers = await askApprovals(prompter, turn.approval);
    if (answers) next = [approvalMessage(answers)];
    else await abandonApproval(ctx, turn.runId);
  }
}

interface Turn {
  runId: string | undefined;
  stopReason: StopReason | undefined;
  approval: ApprovalRequestEvent | undefined;
}

/** Streams one run to the screen. The first Ctrl-C cancels the run; a second one stops waiting for it. */
async function streamTurn(ctx: Context, prompter: Prompter, agentId: string, messages: MessageCreate[]): Promise<Turn> {
  const turn: Turn = { runId: undefined, stopReason: undefined, approval: undefined };
  const leave = new AbortController();
  let cancelling = false;
  prompter.onInterrupt = () => {
    // Before run_started there is no id to cancel; closing a foreground stream cancels its run.
    if (!turn.runId || cancelling) return leave.abort();
    cancelling = true;
    const { loop } = ctx.api;
    callUnary(loop.cancelRun.bind(loop), { runId: turn.runId }, ctx.api.unary()).catch((err: unknown) => {
      ctx.err(`conduit: ${describeError(err)}\n`);
      leave.abort();
    });
  };
  const renderer = new RunRenderer(ctx.out, { style: ctx.style, showApprovals: false });
  const request = SendMessageRequest.fromPartial({ agentId, messages, streamTokens: true });
  const { loop } = ctx.api;
  let failure: { error: unknown } | undefined;
  try {
    for await (const e of callStream(loop.sendMessage.bind(loop), request, ctx.api.stream(leave.signal))) {
      if (e.payload?.$case === "runStarted") turn.runId = e.runId;
      if (e.payload?.$case === "approvalRequest") turn.approval = e.payload.value;
      renderer.event(e);
    }
  } catch (err) {
    failure = { error: err };
  } finally {
    prompter.onInterrupt = undefined;
  }
  renderer.end();
  turn.stopReason = renderer.stopReason;
  if (failure === undefined) return turn;
  if (leave.signal.aborted) ctx.out(`${ctx.style.dim("run cancelled")}\n`);
  else ctx.err(`conduit: ${describeError(failure.error)}\n`);
  return turn;
}

/** Asks about each pending call; undefined when the person leaves the questions (Ctrl-C, Ctrl-D). */
async function askApprovals(prompter: Prompter, request: ApprovalRequestEvent): Promise<Approval[] | undefined> {
  const answers: Approval[] = [];
  for (const call of request.toolCalls) {
    const answer = await prompter.ask(`approve ${callSignature(call.name, call.argumentsJson)}? [y/N] `);
    if (answer.kind !== "line") return undefined;
    if (/^y(es)?$/i.test(answer.text.trim())) {
      answers.push(decision(call.id, true));
      continue;
    }
    const reason = await prompter.ask("reason: ");
    if (reason.kind !== "line") return undefined;
    answers.push(decision(call.id, false, reason.text.trim()));
  }
  return answers;
}

/** CancelRun on a run waiting for approval denies its pending calls, so the agent takes new messages. */
async function abandonApproval(ctx: Context, runId: string | undefined): Promise<void> {
  ctx.out("\n");
  if (!runId) return;
  const { loop } = ctx.api;
  try {
    await callUnary(loop.cancelRun.bind(loop), { runId }, ctx.api.unary());
    ctx.out(`${ctx.style.dim("approval abandoned: the pending calls were denied")}\n`);
  } catch (err) {
    ctx.err(`conduit: ${describeError(err)}\n`);
  }
}
