import { randomUUID } from "node:crypto";
import { z } from "zod";
import { FinishReason } from "@conduit/proto/agent/v1";
import type { CompletionEvent, CompletionUsage } from "@conduit/proto/provider/v1";
import { ProviderError } from "../../core/provider-error.js";
import { parseWireShape } from "../wire-shape.js";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason.js";

// Permissive: the API adds fields and part kinds over time (`inlineData`, `executableCode`,
// `groundingMetadata`, `modelVersion`, …); only the fields read here are checked.
const count = z.number().int().nonnegative().nullish();

const usageSchema = z.looseObject({
  promptTokenCount: count,
  candidatesTokenCount: count,
  cachedContentTokenCount: count,
  thoughtsTokenCount: count,
});

const partSchema = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .looseObject({
      id: z.string().nullish(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});

const candidateSchema = z.looseObject({
  index: z.number().int().nonnegative().nullish(),
  content: z.looseObject({ parts: z.array(partSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
});

/** One streamed `GenerateContentResponse`, as far as the adapter reads it. */
export const geminiChunkSchema = z.looseObject({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: usageSchema.nullish(),
});

export type GeminiChunk = z.infer<typeof geminiChunkSchema>;
type GeminiUsage = z.infer<typeof usageSchema>;
type GeminiPart = z.infer<typeof partSchema>;

/** What a stream has shown so far, across chunks. */
export interface GeminiStreamState {
  /** Function calls emitted so far; the next one's index. */
  toolCalls: number;
  /** The candidate's finish reason, or the prompt's block reason. */
  finish: { raw: string; blocked: boolean } | undefined;
  /** The latest usage: each chunk reports the running totals. */
  usage: GeminiUsage | undefined;
  /** Ids for calls Gemini sends without one. */
  readonly newCallId: () => string;
}

export function newGeminiStreamState(newCallId: () => string = () => `call_${randomUUID().replaceAll("-", "")}`): GeminiStreamState {
  return { toolCalls: 0, finish: undefined, usage: undefined, newCallId };
}

/** Validates a chunk the SDK parsed; a chunk of the wrong shape is a malformed response. */
export function parseGeminiChunk(raw: unknown): GeminiChunk {
  return parseWireShape(geminiChunkSchema, raw, "a chunk");
}

/**
 * The events of one chunk, part by part: text (with its thought signature), thought parts as
 * reasoning, and function calls, each whole in one delta (Gemini does not stream arguments).
 * The usage and the finish reason (or the prompt's block reason) are remembered in `state` and
 * come out at the end of the stream (`finishGeminiStream`). Only the first candidate is read
 * (the adapter never asks for more).
 */
export function mapGeminiChunk(chunk: GeminiChunk, state: GeminiStreamState): CompletionEvent[] {
  if (chunk.usageMetadata) state.usage = chunk.usageMetadata;
  const blockReason = chunk.promptFeedback?.blockReason;
  if (blockReason) state.finish = { raw: blockReason, blocked: true };
  const candidate = chunk.candidates?.find((c) => (c.index ?? 0) === 0);
  if (!candidate) return [];
  const events = (candidate.content?.parts ?? []).flatMap((part) => partEvents(part, state));
  if (candidate.finishReason) state.finish = { raw: candidate.finishReason, blocked: false };
  return events;
}

/**
 * The events that close a stream which ended normally: usage (if reported), then `finish`.
 * A stream that ended without a finish reason was cut short: a malformed response.
 */
export function finishGeminiStream(state: GeminiStreamState, model: string): CompletionEvent[] {
  const finish = state.finish;
  if (finish === undefined) throw new ProviderError("malformed", "the provider's stream ended without a finish reason");
  const events: CompletionEvent[] = [];
  const usage = state.usage && toCompletionUsage(state.usage);
  if (usage) events.push({ event: { $case: "usage", value: usage } });
  // A blocked prompt gets no candidate at all; whatever the block reason, a filter stopped it.
  const reason = finish.blocked ? FinishReason.FINISH_REASON_CONTENT_FILTER : mapGeminiFinishReason(finish.raw, state.toolCalls > 0);
  events.push({ event: { $case: "finish", value: { reason, rawReason: finish.raw, model } } });
  return events;
}

function partEvents(part: GeminiPart, state: GeminiStreamState): CompletionEvent[] {
  const signature = part.thoughtSignature ? { signature: part.thoughtSignature } : {};
  if (part.functionCall) {
    const call = part.functionCall;
    const index = state.toolCalls++;
    const id = call.id ? call.id : state.newCallId();
    const argumentsDelta = JSON.stringify(call.args ?? {});
    return [{ event: { $case: "toolCallDelta", value: { index, id, name: call.name, argumentsDelta, ...signature } } }];
  }
  const text = part.text ?? "";
  // A signature may come on a part of empty text (Gemini 3 ends a text answer so); it is kept.
  if (text === "" && signature.signature === undefined) return [];
  if (part.thought) return [{ event: { $case: "reasoningDelta", value: { text, ...signature } } }];
  return [{ event: { $case: "textDelta", value: { text, ...signature } } }];
}

/**
 * Gemini counts thoughts apart from the candidates; `completion_tokens` counts them in.
 * `promptTokenCount` already includes cached tokens. Counts the provider did not report stay
 * undefined, never 0; no counts at all, no usage.
 */
function toCompletionUsage(u: GeminiUsage): CompletionUsage | undefined {
  const candidates = u.candidatesTokenCount ?? undefined;
  const thoughts = u.thoughtsTokenCount ?? undefined;
  const completion = candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0);
  const usage: CompletionUsage = {
    promptTokens: u.promptTokenCount ?? undefined,
    completionTokens: completion,
    cachedInputTokens: u.cachedContentTokenCount ?? undefined,
    cacheWriteTokens: undefined,
    reasoningTokens: thoughts,
  };
  return Object.values(usage).every((v) => v === undefined) ? undefined : usage;
}
