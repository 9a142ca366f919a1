import { callStream } from "@conduit/grpc-kit";
import { SendMessageRequest } from "@conduit/proto/agent/v1";
import { booleanFlag } from "./args.js";
import type { Command } from "./command.js";
import { userMessage } from "./input.js";
import { printRun } from "./print-run.js";
import { exitCodeFor } from "./render.js";

export const send: Command = {
  spec: {
    name: "send",
    args: ["<agent>", "<text>"],
    summary: "Sends a message to an agent and prints the run's stream as it arrives.",
    options: {
      json: { type: "boolean", description: "print one RunEvent per line as JSON instead" },
      background: {
        type: "boolean",
        description: "let the run go on when this command is interrupted (re-join with `conduit runs follow <run>`)",
      },
    },
    notes: ["Exit code: 0 when the run completed (also when it waits for an approval), 1 when it failed or was cancelled."],
  },
  async run(ctx, args) {
    const [agentId, text] = args.positionals as [string, string];
    const json = booleanFlag(args, "json");
    const background = booleanFlag(args, "background");
    const request = SendMessageRequest.fromPartial({ agentId, messages: [userMessage(text)], streamTokens: true, background });
    const { loop } = ctx.api;
    const printed = await printRun(ctx, callStream(loop.sendMessage.bind(loop), request, ctx.api.stream()), {
      json,
      onEvent: (e) => {
        // The run id comes first, so a person who leaves knows what to re-join.
        if (background && !json && e.payload?.$case === "runStarted") ctx.err(`run ${e.runId} (background: \`conduit runs follow ${e.runId}\` re-joins it)\n`);
      },
    });
    return exitCodeFor(printed.stopReason);
  },
};
