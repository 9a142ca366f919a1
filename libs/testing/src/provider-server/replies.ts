import { BedrockStreamException } from "./event-stream-framing.js";

/**
 * How a stream ends after its last chunk:
 * - "end": the protocol's terminator (if it has one), then the response ends normally;
 * - "truncate": the connection drops, without terminator or end of the HTTP body;
 * - "stall": nothing more is sent until the client or the server closes the connection;
 * - `{ garbage }`: those raw bytes, then the response ends.
 */
export type StreamEnding = "end" | "truncate" | "stall" | { readonly garbage: string };

export interface StreamOptions {
  /** Wait between consecutive chunks, in milliseconds. */
  readonly delayMs?: number;
  /** Default "end". */
  readonly then?: StreamEnding;
}

/**
 * An SSE stream of `chunks`: objects are sent as JSON, strings as the data line as-is. On the
 * bedrock route each chunk is an event-stream message instead, and a `bedrockException(…)` chunk
 * an exception message.
 */
export interface StreamReply extends StreamOptions {
  readonly kind: "stream";
  readonly chunks: readonly unknown[];
}

/** A recorded file of the route's fixtures folder, one chunk per line. */
export interface FixtureReply extends StreamOptions {
  readonly kind: "fixture";
  readonly file: string;
}

/** An HTTP error: `status` with a JSON `body` (see the provider-shaped builders below). */
export interface ErrorReply {
  readonly kind: "error";
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A non-streaming 200 answer. */
export interface JsonReply {
  readonly kind: "json";
  readonly body: unknown;
}

export type ProviderReply = StreamReply | FixtureReply | ErrorReply | JsonReply;

/** OpenAI's error body, e.g. `openaiError("invalid_request_error", "...", "context_length_exceeded")`. */
export function openaiError(type: string, message: string, code?: string) {
  return { error: { message, type, param: null, code: code ?? null } };
}

/** Anthropic's error body, e.g. `anthropicError("overloaded_error", "Overloaded")` with status 529. */
export function anthropicError(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

/**
 * A Bedrock HTTP error: its JSON body `{message}`, the exception named in `x-amzn-errortype`,
 * e.g. `bedrockError(429, "ThrottlingException", "Too many requests, please wait before trying again.")`.
 */
export function bedrockError(
  status: number,
  exceptionType: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): ErrorReply {
  const errorType = `${exceptionType}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  return { kind: "error", status, body: { message }, headers: { "x-amzn-errortype": errorType, ...headers } };
}

/** A chunk of a bedrock stream that is an exception message, e.g. `bedrockException("throttlingException", "…")`. */
export function bedrockException(exceptionType: string, message: string): BedrockStreamException {
  return new BedrockStreamException(exceptionType, message);
}

/** Google's error body, e.g. `geminiError("RESOURCE_EXHAUSTED", "Quota exceeded", 429)`. */
export function geminiError(status: string, message: string, code: number) {
  return { error: { code, message, status } };
}
