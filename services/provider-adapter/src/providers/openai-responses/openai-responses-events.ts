import { randomUUID } from "node:crypto";
import type { CompletionEvent, CompletionUsage } from "@conduit/proto/provider/v1";
import { ProviderError } from "../../core/provider-error.js";
import { classifyResponsesErrorCode } from "./classify-openai-responses-error.js";
import { mapOpenAIResponsesFinishReason } from "./map-openai-responses-finish-reason.js";
import type { OpenAIResponsesEvent, OutputItem, ResponseSnapshot, ResponsesUsage } from "./openai-responses-schemas.js";

export { parseOpenAIResponsesEvent } from "./openai-responses-schemas.js";

/** What a stream has shown so far, across events. */
export interface OpenAIResponsesStreamState {
  /** Output index of each function call → its index among this response's calls. */
  readonly toolCalls: Map<number, { index: number; argumentsSent: boolean }>;
  /** Output indexes of reasoning items whose text streamed. */
  readonly reasoningStreamed: Set<number>;
  /** The summary the last reasoning delta belonged to. */
  lastSummary: { outputIndex: number; summaryIndex: number } | undefined;
  /** `response.completed` or `response.incomplete` was seen: usage and finish went out. */
  ended: boolean;
}

export function newOpenAIResponsesStreamState(): OpenAIResponsesStreamState {
  return { toolCalls: new Map(), reasoningStreamed: new Set(), lastSummary: undefined, ended: false };
}

const text = (t: string): CompletionEvent => ({ event: { $case: "textDelta", value: { text: t } } });
const reasoning = (t: string): CompletionEvent => ({ event: { $case: "reasoningDelta", value: { text: t } } });
const callDelta = (index: number, argumentsDelta: string): CompletionEvent => ({
  event: { $case: "toolCallDelta", value: { index, argumentsDelta } },
});

/**
 * The events of one stream event. Text, reasoning summaries and function-call arguments come
 * out as they stream; a finished reasoning item comes out whole as `summarized_reasoning` (for
 * continuity); `response.completed` / `response.incomplete` give the usage, then the finish.
 * Function-call arguments that arrive only whole (at `.done`) come out then, once. An `error`
 * event or `response.failed` is thrown as a ProviderError classified by its code.
 */
export function mapOpenAIResponsesEvent(event: OpenAIResponsesEvent, state: OpenAIResponsesStreamState, model: string): CompletionEvent[] {
  if (state.ended) return [];
  switch (event.type) {
    case "response.output_text.delta":
    case "response.refusal.delta":
      return event.delta === "" ? [] : [text(event.delta)];
    case "response.reasoning_text.delta":
      state.reasoningStreamed.add(event.output_index);
      return event.delta === "" ? [] : [reasoning(event.delta)];
    case "response.reasoning_summary_text.delta":
      return summaryDelta(event.output_index, event.summary_index, event.delta, state);
    case "response.output_item.added":
      return event.item.type === "function_call" ? startCall(event.output_index, event.item, state, "") : [];
    case "response.function_call_arguments.delta": {
      const call = callAt(event.output_index, state);
      if (event.delta === "") return [];
      call.argumentsSent = true;
      return [callDelta(call.index, event.delta)];
    }
    case "response.function_call_arguments.done":
      return wholeArguments(callAt(event.output_index, state), event.arguments);
    case "response.output_item.done":
      return itemDone(event.output_index, event.item, state);
    case "response.completed":
      return end(event.response, "completed", state, model);
    case "response.incomplete":
      return end(event.response, event.response.incomplete_details?.reason ?? "incomplete", state, model);
    case "response.failed":
      throw classifyResponsesErrorCode(
        event.response.error?.code ?? "",
        event.response.error?.message ?? "the provider reported that the response failed",
      );
    case "error":
      throw classifyResponsesErrorCode(event.code ?? "", event.message ?? "the provider reported an error in its stream");
    default:
      // Lifecycle events (created, in_progress, part added/done, …) and types not known yet.
      return [];
  }
}

/**
 * Checks a stream that ended normally: it must have reached `response.completed` or
 * `response.incomplete`, or it was cut short (a malformed response).
 */
export function finishOpenAIResponsesStream(state: OpenAIResponsesStreamState): void {
  if (!state.ended) throw new ProviderError("malformed", "the provider's stream ended without response.completed");
}

// Summaries of one item stream one after another; a blank line keeps them apart in the text.
function summaryDelta(outputIndex: number, summaryIndex: number, delta: string, state: OpenAIResponsesStreamState): CompletionEvent[] {
  if (delta === "") return [];
  const last = state.lastSummary;
  const next = last !== undefined && last.outputIndex === outputIndex && last.summaryIndex !== summaryIndex;
  state.lastSummary = { outputIndex, summaryIndex };
  state.reasoningStreamed.add(outputIndex);
  return [reasoning(next ? `\n\n${delta}` : delta)];
}

function startCall(outputIndex: number, item: OutputItem, state: OpenAIResponsesStreamState, args: string): CompletionEvent[] {
  const call = { index: state.toolCalls.size, argumentsSent: args !== "" };
  state.toolCalls.set(outputIndex, call);
  const id = item.call_id ? item.call_id : `call_${randomUUID().replaceAll("-", "")}`;
  return [{ event: { $case: "toolCallDelta", value: { index: call.index, id, name: item.name ?? "", argumentsDelta: args } } }];
}

function callAt(outputIndex: number, state: OpenAIResponsesStreamState) {
  const call = state.toolCalls.get(outputIndex);
  if (call === undefined) throw new ProviderError("malformed", `the provider sent arguments for output ${outputIndex}, which is no function call`);
  return call;
}

/** Arguments known whole: sent only if none streamed; none at all become `{}`, so they parse. */
function wholeArguments(call: { index: number; argumentsSent: boolean }, args: string | null | undefined): CompletionEvent[] {
  if (call.argumentsSent) return [];
  call.argumentsSent = true;
  return [callDelta(call.index, args ? args : "{}")];
}

function itemDone(outputIndex: number, item: OutputItem, state: OpenAIResponsesStreamState): CompletionEvent[] {
  if (item.type === "function_call") {
    const call = state.toolCalls.get(outputIndex);
    if (call === undefined) return startCall(outputIndex, item, state, item.arguments ? item.arguments : "{}");
    return wholeArguments(call, item.arguments);
  }
  if (item.type !== "reasoning") return [];
  const summaries = (item.summary ?? []).map((s) => s.text);
  const events: CompletionEvent[] = [];
  // A server that sends the summaries only whole still shows them as reasoning.
  const unseen = summaries.filter((s) => s !== "");
  if (!state.reasoningStreamed.has(outputIndex) && unseen.length > 0) events.push(reasoning(unseen.join("\n\n")));
  // Without its id the item cannot be sent back, which is all this event is for.
  if (item.id) {
    const encrypted = item.encrypted_content ? { encryptedContent: item.encrypted_content } : {};
    events.push({ event: { $case: "summarizedReasoning", value: { id: item.id, summaries, ...encrypted } } });
  }
  return events;
}

function end(response: ResponseSnapshot, raw: string, state: OpenAIResponsesStreamState, model: string): CompletionEvent[] {
  state.ended = true;
  const events: CompletionEvent[] = [];
  const usage = response.usage ? toCompletionUsage(response.usage) : undefined;
  if (usage) events.push({ event: { $case: "usage", value: usage } });
  const reason = mapOpenAIResponsesFinishReason(raw, state.toolCalls.size > 0);
  events.push({ event: { $case: "finish", value: { reason, rawReason: raw, model } } });
  return events;
}

/** Counts the provider did not report stay undefined, never 0; no counts at all, no usage. */
function toCompletionUsage(usage: ResponsesUsage): CompletionUsage | undefined {
  const out: CompletionUsage = {
    promptTokens: usage.input_tokens ?? undefined,
    completionTokens: usage.output_tokens ?? undefined,
    cachedInputTokens: usage.input_tokens_details?.cached_tokens ?? undefined,
    cacheWriteTokens: undefined,
    reasoningTokens: usage.output_tokens_details?.reasoning_tokens ?? undefined,
  };
  return Object.values(out).every((v) => v === undefined) ? undefined : out;
}
