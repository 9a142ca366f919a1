import { z } from "zod";
import type { CompletionEvent, CompletionUsage } from "@conduit/proto/provider/v1";
import { ProviderError } from "../../core/provider-error.js";
import { parseTypedEvent, type TypedEvent } from "../wire-shape.js";
import { classifyErrorType } from "./classify-anthropic-error.js";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.js";

// Permissive: the API adds fields and block types over time (`cache_creation`, `service_tier`,
// `context_management`, `stop_details`, server tools, …); only the fields read here are checked.
const count = z.number().int().nonnegative().nullish();

const usageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
});

const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
});

const blockDeltaSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  partial_json: z.string().nullish(),
});

const index = z.number().int().nonnegative();

const eventSchemas = {
  message_start: z.looseObject({
    type: z.literal("message_start"),
    message: z.looseObject({ usage: usageSchema.nullish() }),
  }),
  content_block_start: z.looseObject({ type: z.literal("content_block_start"), index, content_block: contentBlockSchema }),
  content_block_delta: z.looseObject({ type: z.literal("content_block_delta"), index, delta: blockDeltaSchema }),
  content_block_stop: z.looseObject({ type: z.literal("content_block_stop"), index }),
  message_delta: z.looseObject({
    type: z.literal("message_delta"),
    delta: z.looseObject({ stop_reason: z.string().nullish() }),
    usage: usageSchema.nullish(),
  }),
  message_stop: z.looseObject({ type: z.literal("message_stop") }),
  ping: z.looseObject({ type: z.literal("ping") }),
  error: z.looseObject({
    type: z.literal("error"),
    error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
  }),
} as const;

/** One streamed event, as far as the adapter reads it; an event of an unknown type is kept as is. */
export type AnthropicStreamEvent = TypedEvent<typeof eventSchemas>;

type AnthropicUsage = z.infer<typeof usageSchema>;

/** What a stream has shown so far, across events. */
export interface AnthropicStreamState {
  /** Content block index → tool call index (tool calls count from 0, other blocks aside). */
  readonly toolCalls: Map<number, { index: number; hasArguments: boolean }>;
  stopReason: string | undefined;
  /** Counts from `message_start`, overridden by those `message_delta` reports. */
  readonly usage: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
  /** `message_stop` was seen: the usage and finish were emitted, the rest is ignored. */
  stopped: boolean;
}

export function newAnthropicStreamState(): AnthropicStreamState {
  return { toolCalls: new Map(), stopReason: undefined, usage: {}, stopped: false };
}

/** Validates an event the SDK parsed; a known event of the wrong shape is a malformed response. */
export function parseAnthropicEvent(raw: unknown): AnthropicStreamEvent {
  return parseTypedEvent(eventSchemas, raw);
}

/**
 * The events of one stream event. Text, reasoning (with its signature), redacted reasoning and
 * tool-call deltas come out at once; the usage of `message_start` and `message_delta` and the
 * stop reason are remembered in `state` and come out at `message_stop`: one usage, then one
 * finish. An `error` event is thrown as a ProviderError classified by its type.
 */
export function mapAnthropicEvent(event: AnthropicStreamEvent, state: AnthropicStreamState, model: string): CompletionEvent[] {
  if (state.stopped) return [];
  switch (event.type) {
    case "message_start":
      if (event.message.usage) addUsage(state, event.message.usage);
      return [];
    case "content_block_start":
      return blockStart(event.index, event.content_block, state);
    case "content_block_delta":
      return blockDelta(event.index, event.delta, state);
    case "content_block_stop": {
      // A call whose input never came (no arguments) gets `{}`, so its arguments are JSON.
      const call = state.toolCalls.get(event.index);
      if (call === undefined || call.hasArguments) return [];
      call.hasArguments = true;
      return [{ event: { $case: "toolCallDelta", value: { index: call.index, argumentsDelta: "{}" } } }];
    }
    case "message_delta":
      if (event.usage) addUsage(state, event.usage);
      if (event.delta.stop_reason) state.stopReason = event.delta.stop_reason;
      return [];
    case "message_stop":
      return stop(state, model);
    case "error":
      throw classifyErrorType(event.error?.type ?? "", event.error?.message ?? "the provider reported an error in its stream");
    default:
      // ping, and event types this adapter does not know yet.
      return [];
  }
}

/**
 * Checks a stream that ended normally: it must have reached `message_stop`, or it was cut short
 * (a malformed response).
 */
export function finishAnthropicStream(state: AnthropicStreamState): void {
  if (!state.stopped) throw new ProviderError("malformed", "the provider's stream ended without message_stop");
}

function blockStart(index: number, block: z.infer<typeof contentBlockSchema>, state: AnthropicStreamState): CompletionEvent[] {
  switch (block.type) {
    case "text":
      return block.text ? [{ event: { $case: "textDelta", value: { text: block.text } } }] : [];
    case "thinking": {
      const signature = block.signature ? { signature: block.signature } : {};
      return block.thinking || block.signature ? [{ event: { $case: "reasoningDelta", value: { text: block.thinking ?? "", ...signature } } }] : [];
    }
    case "redacted_thinking":
      return [{ event: { $case: "redactedReasoning", value: { data: block.data ?? "" } } }];
    case "tool_use": {
      const call = { index: state.toolCalls.size, hasArguments: false };
      state.toolCalls.set(index, call);
      // The API starts with `input: {}` and streams the input; a non-empty input here is whole.
      const input = block.input;
      const whole = typeof input === "object" && input !== null && Object.keys(input).length > 0 ? JSON.stringify(input) : "";
      call.hasArguments = whole !== "";
      return [
        {
          event: {
            $case: "toolCallDelta",
            value: { index: call.index, id: block.id ?? "", name: block.name ?? "", argumentsDelta: whole },
          },
        },
      ];
    }
    default:
      // Server tool blocks and block types this adapter does not know yet.
      return [];
  }
}

function blockDelta(index: number, delta: z.infer<typeof blockDeltaSchema>, state: AnthropicStreamState): CompletionEvent[] {
  switch (delta.type) {
    case "text_delta":
      return delta.text ? [{ event: { $case: "textDelta", value: { text: delta.text } } }] : [];
    case "thinking_delta":
      return delta.thinking ? [{ event: { $case: "reasoningDelta", value: { text: delta.thinking } } }] : [];
    case "signature_delta":
      return delta.signature ? [{ event: { $case: "reasoningDelta", value: { text: "", signature: delta.signature } } }] : [];
    case "input_json_delta": {
      const call = state.toolCalls.get(index);
      if (call === undefined || !delta.partial_json) return [];
      call.hasArguments = true;
      return [{ event: { $case: "toolCallDelta", value: { index: call.index, argumentsDelta: delta.partial_json } } }];
    }
    default:
      // citations_delta and delta types this adapter does not know yet.
      return [];
  }
}

function addUsage(state: AnthropicStreamState, usage: AnthropicUsage): void {
  const u = state.usage;
  if (usage.input_tokens != null) u.input = usage.input_tokens;
  if (usage.output_tokens != null) u.output = usage.output_tokens;
  if (usage.cache_read_input_tokens != null) u.cacheRead = usage.cache_read_input_tokens;
  if (usage.cache_creation_input_tokens != null) u.cacheWrite = usage.cache_creation_input_tokens;
}

function stop(state: AnthropicStreamState, model: string): CompletionEvent[] {
  if (state.stopReason === undefined) {
    throw new ProviderError("malformed", "the provider's stream stopped without a stop reason");
  }
  state.stopped = true;
  const events: CompletionEvent[] = [];
  const usage = toCompletionUsage(state.usage);
  if (usage) events.push({ event: { $case: "usage", value: usage } });
  events.push({
    event: { $case: "finish", value: { reason: mapAnthropicStopReason(state.stopReason), rawReason: state.stopReason, model } },
  });
  return events;
}

/**
 * Anthropic's `input_tokens` leaves out cache reads and writes; `prompt_tokens` counts them in.
 * Counts the provider did not report stay undefined, never 0; no counts at all, no usage.
 */
function toCompletionUsage(u: AnthropicStreamState["usage"]): CompletionUsage | undefined {
  if (u.input === undefined && u.output === undefined && u.cacheRead === undefined && u.cacheWrite === undefined) return undefined;
  return {
    promptTokens: u.input === undefined ? undefined : u.input + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0),
    completionTokens: u.output,
    cachedInputTokens: u.cacheRead,
    cacheWriteTokens: u.cacheWrite,
    reasoningTokens: undefined,
  };
}
