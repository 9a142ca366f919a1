import { RunEvent, type StopReason } from "@conduit/proto/agent/v1";
import { printJson, type Context } from "./command.js";
import { RunRenderer } from "./render.js";

export interface PrintedRun {
  /** How many events came. */
  events: number;
  stopReason: StopReason | undefined;
}

/** Prints a run's stream as it arrives: rendered for a person, or one RunEvent JSON per line. */
export async function printRun(ctx: Context, events: AsyncIterable<RunEvent>, opts: { json: boolean; onEvent?: (e: RunEvent) => void }): Promise<PrintedRun> {
  const renderer = new RunRenderer(ctx.out, { style: ctx.style, showApprovals: true });
  let count = 0;
  let stopReason: StopReason | undefined;
  try {
    for await (const e of events) {
      count++;
      if (e.payload?.$case === "stop") stopReason = e.payload.value.stopReason;
      opts.onEvent?.(e);
      if (opts.json) printJson(ctx, RunEvent.toJSON(e));
      else renderer.event(e);
    }
  } finally {
    renderer.end();
  }
  return { events: count, stopReason };
}
