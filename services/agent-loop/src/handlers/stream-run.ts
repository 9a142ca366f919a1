import { z } from "zod";
import { CallAborted, parseRequest, type CallContext } from "@conduit/grpc-kit";
import { MessagePayloadType, type StreamRunRequest } from "@conduit/proto/agent/v1";
import type { CallerAuth } from "../adapters/caller-auth.js";
import type { StoreConnection } from "../adapters/store-client.js";
import type { StreamedEvent } from "../events/encoded-event.js";
import type { RunEventLog } from "../runs/event-log.js";
import { eventsUnavailable, loggedEvents } from "../runs/follow-run.js";
import type { RunHost } from "../runs/run-host.js";
import { visibleTo } from "./event-filter.js";
import { REQUEST_LIMITS } from "./run-request.js";

const schema = z.looseObject({
  runId: z.string().min(1, { error: "must not be empty" }),
  startingAfter: z.string().regex(/^\d+$/, { error: "must be a non-negative integer" }),
  includeReturnMessageTypes: z.array(z.number().refine((t) => t !== MessagePayloadType.MESSAGE_PAYLOAD_TYPE_UNSPECIFIED, { error: "must not be UNSPECIFIED" })),
  pingIntervalMs: z.number().int().min(REQUEST_LIMITS.minPingIntervalMs, { error: `must be at least ${REQUEST_LIMITS.minPingIntervalMs}` }).optional(),
});

/**
 * StreamRun: a run's events after `starting_after`, then live until its terminal events. From
 * the owner's memory when the run runs here, else from the event log of background runs.
 */
export function streamRun(deps: { auth: CallerAuth; store: StoreConnection; runs: RunHost; eventLog: RunEventLog }) {
  return async function* (request: StreamRunRequest, ctx: CallContext): AsyncGenerator<StreamedEvent> {
    const organizationId = await deps.auth.organizationOf(ctx);
    parseRequest(schema, request);
    const after = Number(request.startingAfter);
    const include = new Set(request.includeReturnMessageTypes);
    // Read until the end even while this replica shuts down: the owner ends its runs then.
    const reading = new AbortController();
    const onAbort = () => {
      if (!(ctx.signal.reason instanceof CallAborted && ctx.signal.reason.cause === "server_shutdown")) reading.abort();
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const run = await deps.store.forOrganization(organizationId).getRun(request.runId, ctx);
      const local = deps.runs.local(run.id);
      const events = local ? local.channel.read(after, reading.signal) : await loggedEvents(deps.eventLog, run, after, reading.signal);
      if (!events) throw eventsUnavailable(run);
      // Unfiltered, the events pass through by delegation: one promise per event fewer.
      if (include.size === 0) yield* events;
      else for await (const event of events) if (visibleTo(event, include)) yield event;
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      reading.abort();
    }
  };
}
