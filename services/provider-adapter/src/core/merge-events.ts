import type { CompletionEvent } from "@conduit/proto/provider/v1";

/**
 * Folds `next` into `queued` when nothing is lost: text after unsigned text, reasoning after
 * unsigned reasoning (a signature closes its block), and more arguments of the same tool call.
 * `queued` is changed in place (it is the writer's own, not yet sent) and returned; undefined
 * when the two must stay apart.
 */
export function mergeCompletionEvents(queued: CompletionEvent, next: CompletionEvent): CompletionEvent | undefined {
  const a = queued.event;
  const b = next.event;
  if ((a?.$case === "textDelta" && b?.$case === "textDelta") || (a?.$case === "reasoningDelta" && b?.$case === "reasoningDelta")) {
    if (a.value.signature !== undefined) return undefined;
    a.value.text += b.value.text;
    if (b.value.signature !== undefined) a.value.signature = b.value.signature;
    return queued;
  }
  if (
    a?.$case === "toolCallDelta" &&
    b?.$case === "toolCallDelta" &&
    a.value.index === b.value.index &&
    b.value.id === undefined &&
    b.value.name === undefined &&
    b.value.signature === undefined
  ) {
    a.value.argumentsDelta += b.value.argumentsDelta;
    return queued;
  }
  return undefined;
}
