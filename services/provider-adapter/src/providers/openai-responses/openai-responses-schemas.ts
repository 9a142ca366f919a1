import { z } from "zod";
import { parseTypedEvent, type TypedEvent } from "../wire-shape.js";

// Permissive: the API adds fields, item types and event types over time (`obfuscation`,
// `content_filters` on Azure, new tools, …); only the fields the adapter reads are checked.
const count = z.number().int().nonnegative().nullish();
const outputIndex = z.number().int().nonnegative();

const usageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  input_tokens_details: z.looseObject({ cached_tokens: count }).nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish(),
});

const errorSchema = z.looseObject({ code: z.string().nullish(), message: z.string().nullish() });

const responseSchema = z.looseObject({
  status: z.string().nullish(),
  usage: usageSchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  error: errorSchema.nullish(),
});

/** An output item: a function call or a reasoning item is read; other types pass as they are. */
const itemSchema = z.looseObject({
  type: z.string(),
  id: z.string().nullish(),
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  arguments: z.string().nullish(),
  summary: z.array(z.looseObject({ text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

const textDelta = <T extends string>(type: T) => z.looseObject({ type: z.literal(type), output_index: outputIndex, delta: z.string() });

export const eventSchemas = {
  "response.output_text.delta": textDelta("response.output_text.delta"),
  "response.refusal.delta": textDelta("response.refusal.delta"),
  "response.reasoning_text.delta": textDelta("response.reasoning_text.delta"),
  "response.reasoning_summary_text.delta": z.looseObject({
    type: z.literal("response.reasoning_summary_text.delta"),
    output_index: outputIndex,
    summary_index: z.number().int().nonnegative(),
    delta: z.string(),
  }),
  "response.output_item.added": z.looseObject({ type: z.literal("response.output_item.added"), output_index: outputIndex, item: itemSchema }),
  "response.output_item.done": z.looseObject({ type: z.literal("response.output_item.done"), output_index: outputIndex, item: itemSchema }),
  "response.function_call_arguments.delta": textDelta("response.function_call_arguments.delta"),
  "response.function_call_arguments.done": z.looseObject({
    type: z.literal("response.function_call_arguments.done"),
    output_index: outputIndex,
    arguments: z.string(),
  }),
  "response.completed": z.looseObject({ type: z.literal("response.completed"), response: responseSchema }),
  "response.incomplete": z.looseObject({ type: z.literal("response.incomplete"), response: responseSchema }),
  "response.failed": z.looseObject({ type: z.literal("response.failed"), response: responseSchema }),
  // The SDK throws on an `error` event that nests an `error` object; a flat one reaches here.
  error: z.looseObject({ type: z.literal("error"), code: z.string().nullish(), message: z.string().nullish() }),
} as const;

/** One streamed event, as far as the adapter reads it; an event of another type is kept as is. */
export type OpenAIResponsesEvent = TypedEvent<typeof eventSchemas>;
export type OutputItem = z.infer<typeof itemSchema>;
export type ResponsesUsage = z.infer<typeof usageSchema>;
export type ResponseSnapshot = z.infer<typeof responseSchema>;

/** Validates an event the SDK parsed; a known event of the wrong shape is a malformed response. */
export function parseOpenAIResponsesEvent(raw: unknown): OpenAIResponsesEvent {
  return parseTypedEvent(eventSchemas, raw);
}
