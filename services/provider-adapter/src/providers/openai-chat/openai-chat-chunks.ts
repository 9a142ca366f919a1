import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { CompletionEvent, CompletionUsage } from "@conduit/proto/provider/v1";
import { ProviderError } from "../../core/provider-error.js";
import { parseWireShape } from "../wire-shape.js";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.js";

// Permissive: every OpenAI-compatible server adds its own fields (`obfuscation`, `x_groq`,
// `prompt_cache_hit_tokens`, …) and leaves out others; only the fields read here are checked.
const count = z.number().int().nonnegative().nullish();

const usageSchema = z.looseObject({
  prompt_tokens: count,
  completion_tokens: count,
  prompt_tokens_details: z.looseObject({ cached_tokens: count }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish(),
});

const toolCallDeltaSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const choiceSchema = z.looseObject({
  index: z.number().int().nonnegative().nullish(),
  delta: z
    .looseObject({
      content: z.string().nullish(),
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(toolCallDeltaSchema).nullish(),
    })
    .nullish(),
  finish_reason: z.string().nullish(),
});

/** One streamed `chat.completion.chunk`, as far as the adapter reads it. */
export const openAIChatChunkSchema = z.looseObject({
  choices: z.array(choiceSchema).nullish(),
  usage: usageSchema.nullish(),
  x_groq: z.looseObject({ usage: usageSchema.nullish() }).nullish(),
});

export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;
type OpenAIUsage = z.infer<typeof usageSchema>;

/** What a stream has shown so far, across chunks. */
export interface OpenAIChatStreamState {
  /** Tool call indexes whose first delta (with id and name) was emitted. */
  readonly startedToolCalls: Set<number>;
  finishReason: string | undefined;
  usage: CompletionUsage | undefined;
}

export function newOpenAIChatStreamState(): OpenAIChatStreamState {
  return { startedToolCalls: new Set(), finishReason: undefined, usage: undefined };
}

/** Validates a chunk the SDK parsed; a chunk of the wrong shape is a malformed response. */
export function parseOpenAIChatChunk(raw: unknown): OpenAIChatChunk {
  return isTextChunk(raw) ? raw : parseWireShape(openAIChatChunkSchema, raw, "a chunk");
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * The chunk nearly every delta comes in, checked by hand: one choice (index 0) whose delta has
 * at most text, and nothing else the adapter reads. The schema would accept it too, at several
 * times the cost, on every delta of every stream.
 */
function isTextChunk(raw: unknown): raw is OpenAIChatChunk {
  if (!isObject(raw) || raw.usage != null || raw.x_groq != null || !Array.isArray(raw.choices) || raw.choices.length !== 1) return false;
  const choice: unknown = raw.choices[0];
  if (!isObject(choice) || (choice.index != null && choice.index !== 0) || choice.finish_reason != null) return false;
  const delta = choice.delta;
  if (!isObject(delta) || delta.tool_calls != null || delta.reasoning_content != null || delta.reasoning != null) return false;
  return delta.content == null || typeof delta.content === "string";
}

/**
 * The events of one chunk. Text, reasoning and tool-call deltas come out at once; the finish
 * reason and the usage are remembered in `state` and come out at the end of the stream
 * (`finishOpenAIChatStream`), usage first, since OpenAI sends usage in a chunk after the one
 * with `finish_reason`. Only the first choice is read (the adapter never asks for `n` > 1).
 */
export function mapOpenAIChatChunk(chunk: OpenAIChatChunk, state: OpenAIChatStreamState): CompletionEvent[] {
  const events: CompletionEvent[] = [];
  const usage = chunk.usage ?? chunk.x_groq?.usage;
  if (usage) state.usage = toCompletionUsage(usage);

  const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
  if (!choice) return events;
  const delta = choice.delta;
  const reasoning = delta?.reasoning_content ?? delta?.reasoning;
  if (reasoning) events.push({ event: { $case: "reasoningDelta", value: { text: reasoning } } });
  if (delta?.content) events.push({ event: { $case: "textDelta", value: { text: delta.content } } });
  for (const call of delta?.tool_calls ?? []) {
    const argumentsDelta = call.function?.arguments ?? "";
    if (!state.startedToolCalls.has(call.index)) {
      state.startedToolCalls.add(call.index);
      const id = call.id ? call.id : `call_${randomUUID().replaceAll("-", "")}`;
      const name = call.function?.name ?? "";
      events.push({ event: { $case: "toolCallDelta", value: { index: call.index, id, name, argumentsDelta } } });
    } else if (argumentsDelta !== "") {
      events.push({ event: { $case: "toolCallDelta", value: { index: call.index, argumentsDelta } } });
    }
  }
  if (choice.finish_reason) state.finishReason = choice.finish_reason;
  return events;
}

/**
 * The events that close a stream which ended normally: usage (if reported), then `finish`.
 * A stream that ended without a finish reason was cut short: a malformed response.
 */
export function finishOpenAIChatStream(state: OpenAIChatStreamState, model: string): CompletionEvent[] {
  if (state.finishReason === undefined) {
    throw new ProviderError("malformed", "the provider's stream ended without a finish reason");
  }
  const events: CompletionEvent[] = [];
  if (state.usage) events.push({ event: { $case: "usage", value: state.usage } });
  events.push({
    event: {
      $case: "finish",
      value: { reason: mapOpenAIFinishReason(state.finishReason), rawReason: state.finishReason, model },
    },
  });
  return events;
}

/** Counts the provider did not report stay undefined, never 0. */
function toCompletionUsage(usage: OpenAIUsage): CompletionUsage {
  return {
    promptTokens: usage.prompt_tokens ?? undefined,
    completionTokens: usage.completion_tokens ?? undefined,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
    cacheWriteTokens: undefined,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? undefined,
  };
}
