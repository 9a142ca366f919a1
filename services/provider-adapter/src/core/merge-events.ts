import type { CompletionEvent } from "@conduit/proto/provider/v1";

/**
 * Two consecutive events as one, when nothing is lost: text after unsigned text, reasoning
 * after unsigned reasoning (a signature closes its block), and more arguments of the same tool
 * call. Undefined when they must stay apart.
 */
export function mergeCompletionEvents(queued: CompletionEvent, next: CompletionEvent): CompletionEvent | undefined {
  const a = queued.event;
  const b = next.event;
  if (a?.$case === "textDelta" && b?.$case === "textDelta" && a.value.signature === undefined) {
    return { event: { $case: "textDelta", value: { ...b.value, text: a.value.text + b.value.text } } };
  }
  if (a?.$case === "reasoningDelta" && b?.$case === "reasoningDelta" && a.value.signature === undefined) {
    return { event: { $case: "reasoningDelta", value: { ...b.value, text: a.value.text + b.value.text } } };
  }
  if (
    a?.$case === "toolCallDelta" &&
    b?.$case === "toolCallDelta" &&
    a.value.index === b.value.index &&
    b.value.id === undefined &&
    b.value.name === undefined &&
    b.value.signature === undefined
  ) {
    return { event: { $case: "toolCallDelta", value: { ...a.value, argumentsDelta: a.value.argumentsDelta + b.value.argumentsDelta } } };
  }
  return undefined;
}
