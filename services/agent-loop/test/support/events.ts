import type { RunEvent } from "@conduit/proto/agent/v1";

type Case = NonNullable<RunEvent["payload"]>["$case"];

/** The payload kinds of a stream, in order. */
export const kinds = (events: readonly RunEvent[]): Case[] => events.map((e) => e.payload!.$case);

/** The payloads of one kind. */
export function payloads<C extends Case>(events: readonly RunEvent[], kind: C): Extract<NonNullable<RunEvent["payload"]>, { $case: C }>["value"][] {
  return events.flatMap((e) => (e.payload?.$case === kind ? [e.payload.value as never] : []));
}

/** The assistant text a stream carried, deltas joined. */
export const assistantText = (events: readonly RunEvent[]) =>
  payloads(events, "assistant")
    .map((a) => a.content?.value ?? "")
    .join("");

/** The stream's ending: the last two events' kinds. */
export const ending = (events: readonly RunEvent[]) => kinds(events).slice(-2);
