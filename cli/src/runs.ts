import { callStream, callUnary } from "@conduit/grpc-kit";
import { Run, StreamRunRequest } from "@conduit/proto/agent/v1";
import { SortOrder, type ListRunsRequest } from "@conduit/proto/store/v1";
import { booleanFlag, integerFlag, stringFlag, type OptionSpec } from "./args.js";
import { printJson, type Command } from "./command.js";
import { runDetails, runRows, statusLabel, table } from "./format.js";
import { printRun } from "./print-run.js";
import { exitCodeFor } from "./render.js";

const JSON_OPTION: Record<string, OptionSpec> = { json: { type: "boolean", description: "print the run as JSON" } };

export const runsList: Command = {
  spec: {
    name: "runs list",
    args: [],
    summary: "Lists the latest runs (newest first, at most 50).",
    options: {
      agent: { type: "string", label: "--agent A", description: "only the runs of this agent" },
      json: { type: "boolean", description: "print one run per line as JSON" },
    },
  },
  async run(ctx, args) {
    const { store } = ctx.api;
    const agentId = stringFlag(args, "agent");
    const request: ListRunsRequest = { statuses: [], activeOnly: false, limit: 50, pageToken: "", order: SortOrder.SORT_ORDER_DESC, ...(agentId ? { agentId } : {}) };
    const { runs } = await callUnary(store.listRuns.bind(store), request, ctx.api.unary());
    if (booleanFlag(args, "json")) for (const r of runs) printJson(ctx, Run.toJSON(r));
    else if (runs.length) ctx.out(table(runRows(runs)));
    else ctx.err("no runs\n");
    return 0;
  },
};

export const runsShow: Command = {
  spec: { name: "runs show", args: ["<run>"], summary: "Shows a run: status, stop reason, usage, error.", options: JSON_OPTION },
  async run(ctx, args) {
    const { loop } = ctx.api;
    const run = (await callUnary(loop.getRun.bind(loop), { runId: args.positionals[0]! }, ctx.api.unary())).run!;
    if (booleanFlag(args, "json")) printJson(ctx, Run.toJSON(run));
    else ctx.out(runDetails(run));
    return 0;
  },
};

export const runsCancel: Command = {
  spec: {
    name: "runs cancel",
    args: ["<run>"],
    summary: "Cancels a run (from any replica) and prints its status afterwards. Cancelling an ended run changes nothing.",
    options: JSON_OPTION,
  },
  async run(ctx, args) {
    const { loop } = ctx.api;
    const run = (await callUnary(loop.cancelRun.bind(loop), { runId: args.positionals[0]! }, ctx.api.unary())).run!;
    if (booleanFlag(args, "json")) printJson(ctx, Run.toJSON(run));
    else ctx.out(`${run.id} ${statusLabel(run.status)}\n`);
    return 0;
  },
};

export const runsFollow: Command = {
  spec: {
    name: "runs follow",
    args: ["<run>"],
    summary: "Replays a background run's events and follows it live until it ends.",
    options: {
      after: { type: "string", label: "--after N", description: "start after this seq_id (default 0: the whole run)" },
      json: { type: "boolean", description: "print one RunEvent per line as JSON" },
    },
    notes: ["Exit code: 0 when the run completed, 1 when it failed or was cancelled."],
  },
  async run(ctx, args) {
    const { loop } = ctx.api;
    const runId = args.positionals[0]!;
    const after = integerFlag(args, "after", "runs follow") ?? 0;
    const request = StreamRunRequest.fromPartial({ runId, startingAfter: String(after) });
    const printed = await printRun(ctx, callStream(loop.streamRun.bind(loop), request, ctx.api.stream()), { json: booleanFlag(args, "json") });
    if (printed.stopReason !== undefined) return exitCodeFor(printed.stopReason);
    // Nothing past `--after`: the run had already ended there, so its record tells how.
    const run = (await callUnary(loop.getRun.bind(loop), { runId }, ctx.api.unary())).run!;
    return exitCodeFor(run.stopReason || undefined);
  },
};
