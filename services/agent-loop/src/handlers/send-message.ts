import { CallAborted, type CallContext } from "@conduit/grpc-kit";
import type { SendMessageRequest } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "../adapters/caller-auth.js";
import type { StreamedEvent } from "../events/encoded-event.js";
import type { RunHost } from "../runs/run-host.js";
import { isEnded } from "../runs/cancel-run.js";
import type { RunEventLog } from "../runs/event-log.js";
import { eventsUnavailable, loggedEvents, recordedEvents } from "../runs/follow-run.js";
import { visibleTo } from "./event-filter.js";
import { parseSendMessage } from "./run-request.js";

export interface SendMessageDeps {
  auth: CallerAuth;
  runs: RunHost;
  eventLog: RunEventLog;
}

/** SendMessage: start (or re-attach to) a run and stream its events until its terminal ones. */
export function sendMessage(deps: SendMessageDeps) {
  return async function* (request: SendMessageRequest, ctx: CallContext): AsyncGenerator<StreamedEvent> {
    const organizationId = await deps.auth.organizationOf(ctx);
    const req = parseSendMessage(request);
    const attachment = await deps.runs.start(organizationId, req, { signal: ctx.signal });
    if (attachment.kind === "elsewhere") {
      // Re-sent input of a run that ended or runs on another replica: its log, else its record.
      const { run } = attachment;
      const logged = await loggedEvents(deps.eventLog, run, 0, ctx.signal);
      if (logged) {
        for await (const event of logged) if (visibleTo(event, req.include)) yield event;
      } else if (isEnded(run)) {
        yield* recordedEvents(run);
      } else {
        throw eventsUnavailable(run);
      }
      return;
    }
    const { active } = attachment;
    ctx.log.info({ runId: active.run.id, agentId: req.agentId }, "streaming run");
    const reading = new AbortController();
    const onAbort = () => {
      if (causeOf(ctx.signal) === "server_shutdown") {
        // The replica stops: the run is cancelled and this stream still gets its ending.
        active.cancel();
        return;
      }
      // A foreground caller that goes away takes its run with it.
      if (!active.background) active.cancel();
      reading.abort();
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const event of active.channel.read(0, reading.signal)) {
        if (visibleTo(event, req.include)) yield event;
      }
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      if (!active.channel.isEnded && !active.background) active.cancel();
    }
  };
}

const causeOf = (signal: AbortSignal) => (signal.reason instanceof CallAborted ? signal.reason.cause : "client_cancelled");
