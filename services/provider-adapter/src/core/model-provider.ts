import type { CompletionEvent, Model, StreamCompletionRequest } from "@conduit/proto/provider/v1";

/**
 * One LLM provider behind the adapter. `stream` yields normalized events and ends with exactly
 * one `finish`; a failure is thrown as a ProviderError. The signal aborts the provider call
 * (its HTTP request closes) and any wait.
 */
export interface ModelProvider {
  /** The provider part of model handles: `conduit`, `openai`, `anthropic`, … */
  readonly name: string;
  models(): Model[];
  stream(request: StreamCompletionRequest, options: { signal: AbortSignal }): AsyncIterable<CompletionEvent>;
}

/** `openai/gpt-4.1-mini` → provider `openai`, model `gpt-4.1-mini`. Models may contain `/`. */
export function parseModelHandle(handle: string): { provider: string; model: string } | undefined {
  const match = /^([a-z0-9-]+)\/(\S+)$/.exec(handle);
  return match ? { provider: match[1]!, model: match[2]! } : undefined;
}
