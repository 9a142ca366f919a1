import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { ErrorReply, JsonReply, StreamEnding, StreamReply } from "./replies.js";
import type { ProviderRoute } from "./routes.js";
import { bedrockFrame } from "./event-stream-framing.js";
import { sseEvent, sseTerminator } from "./sse-framing.js";

/** A reply as served: fixture replies are read into stream replies when queued. */
export type ServedReply = StreamReply | ErrorReply | JsonReply;

/** Where a reply is written. */
export interface ReplyChannel {
  readonly res: ServerResponse;
  /** Aborted when the client has closed the connection or the server is closing (and ends the response). */
  readonly signal: AbortSignal;
  /** Drops the connection once what was written is flushed, without ending the HTTP body. */
  drop(): void;
}

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
// Bedrock streams binary AWS event-stream messages instead of SSE.
const EVENT_STREAM_HEADERS = { "content-type": "application/vnd.amazon.eventstream" };

/** Writes `reply` to the channel; resolves when written, or when the channel was aborted. */
export async function writeReply(route: ProviderRoute, reply: ServedReply, channel: ReplyChannel): Promise<void> {
  switch (reply.kind) {
    case "json":
      return sendJson(channel.res, 200, reply.body);
    case "error":
      return sendJson(channel.res, reply.status, reply.body, reply.headers);
    case "stream":
      try {
        await writeStream(route, reply, channel);
      } catch (error) {
        if (!channel.signal.aborted) throw error;
      }
      return;
    default: {
      const unknown: never = reply;
      throw new Error(`unknown reply ${JSON.stringify(unknown)}`);
    }
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function writeStream(route: ProviderRoute, reply: StreamReply, channel: ReplyChannel): Promise<void> {
  const { res, signal } = channel;
  res.writeHead(200, route === "bedrock" ? EVENT_STREAM_HEADERS : SSE_HEADERS);
  // The SDK's request resolves on the headers; a stream that stalls before its first chunk
  // must still reach the point where the caller reads it.
  res.flushHeaders();
  for (const [index, chunk] of reply.chunks.entries()) {
    if (index > 0 && reply.delayMs) await delay(reply.delayMs, undefined, { signal });
    await send(res, route === "bedrock" ? bedrockFrame(chunk) : sseEvent(route, chunk), signal);
  }
  await endStream(route, reply.then ?? "end", channel);
}

async function endStream(route: ProviderRoute, ending: StreamEnding, channel: ReplyChannel): Promise<void> {
  const { res, signal } = channel;
  signal.throwIfAborted();
  if (ending === "end") {
    res.end(sseTerminator(route));
  } else if (ending === "truncate") {
    channel.drop();
  } else if (ending === "stall") {
    if (!signal.aborted) await once(signal, "abort");
  } else {
    res.end(ending.garbage);
  }
}

// Waits for `drain` when the client reads slower than the stream is written, so a long stream
// does not pile up in memory. Writes nothing once the channel is aborted.
async function send(res: ServerResponse, data: string | Uint8Array, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (!res.write(data)) await once(res, "drain", { signal });
}
