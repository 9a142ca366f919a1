import type { ProviderRoute } from "./routes.js";

// Anthropic and the Responses API name each event after the chunk's `type`; the SDKs dispatch
// on that name (Anthropic drops events without one). Chat Completions and Gemini send data only.
const NAMED_EVENTS: ReadonlySet<ProviderRoute> = new Set(["anthropic-messages", "openai-responses"]);

/**
 * One SSE event carrying `chunk`: objects are serialized with JSON.stringify, strings are sent
 * as the data as-is (a recorded line keeps its exact bytes).
 */
export function sseEvent(route: ProviderRoute, chunk: unknown): string {
  const data = typeof chunk === "string" ? chunk : JSON.stringify(chunk);
  const name = NAMED_EVENTS.has(route) ? eventName(chunk) : undefined;
  // A data value holding a newline takes one `data:` line per line; readers join them with \n.
  const dataLines = data
    .split("\n")
    .map((line) => `data: ${line}\n`)
    .join("");
  return `${name === undefined ? "" : `event: ${name}\n`}${dataLines}\n`;
}

/** What the protocol sends after the last chunk; only Chat Completions has a terminator. */
export function sseTerminator(route: ProviderRoute): string {
  return route === "openai-chat" ? "data: [DONE]\n\n" : "";
}

// A recorded line that is not valid JSON still gets its event name when `type` is its first
// key, as a real server would have named it; the SDK then meets the bad data, not a nameless
// event (which the Anthropic SDK would skip without a word).
const LEADING_TYPE = /^\s*\{\s*"type"\s*:\s*"([^"\\]+)"/;

function eventName(chunk: unknown): string | undefined {
  if (typeof chunk === "string") return typeOf(parseOrUndefined(chunk)) ?? LEADING_TYPE.exec(chunk)?.[1];
  return typeOf(chunk);
}

function typeOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("type" in value)) return undefined;
  return typeof value.type === "string" ? value.type : undefined;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
