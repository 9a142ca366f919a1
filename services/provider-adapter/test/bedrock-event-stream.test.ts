import { crc32 as zlibCrc32 } from "node:zlib";
import { eventStreamToSSEResponse } from "@anthropic-ai/bedrock-sdk/core/streaming";
import { describe, expect, it } from "vitest";
import { BedrockStreamException, bedrockFrame, encodeEventStreamMessage, fixtureChunks, tableCrc32 } from "@conduit/testing";

// The local provider server's Bedrock framing, read back by the Bedrock SDK's own decoder
// (the transcoder its client runs on every event-stream response).

function eventStreamResponse(frames: Uint8Array[], pieceSize?: number): Response {
  const bytes = Buffer.concat(frames);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // A frame may arrive split across reads; the decoder must reassemble it.
      const size = pieceSize ?? bytes.length;
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.subarray(at, at + size));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "application/vnd.amazon.eventstream" } });
}

async function sseOf(frames: Uint8Array[], pieceSize?: number): Promise<string> {
  return eventStreamToSSEResponse(eventStreamResponse(frames, pieceSize)).text();
}

const sse = (event: { type: string }) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

describe("Bedrock event-stream framing", () => {
  it("frames each recorded Anthropic event so the SDK decodes the same events, in order", async () => {
    const lines = fixtureChunks("bedrock", "anthropic-clear-thinking.1.chunks.txt");
    const decoded = await sseOf(lines.map((line) => bedrockFrame(line)));
    expect(decoded).toBe(lines.map((line) => sse(JSON.parse(line) as { type: string })).join(""));
  });

  it("decodes frames that arrive split into 7-byte reads", async () => {
    const events = [{ type: "message_start", message: { id: "m" } }, { type: "ping" }, { type: "message_stop" }];
    expect(await sseOf(events.map((e) => bedrockFrame(e)), 7)).toBe(events.map(sse).join(""));
  });

  it("carries non-ASCII text unchanged through the base64 payload", async () => {
    const event = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "925 ÷ 5 = 185 — ✓ 🎉" } };
    expect(await sseOf([bedrockFrame(event)])).toBe(sse(event));
  });

  it("frames an exception as an exception message, which the SDK turns into an error event of that type", async () => {
    const frames = [bedrockFrame({ type: "ping" }), bedrockFrame(new BedrockStreamException("throttlingException", "Too many tokens, please wait."))];
    expect(await sseOf(frames)).toBe(
      `${sse({ type: "ping" })}event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "throttlingException", message: "Too many tokens, please wait." } })}\n\n`,
    );
  });

  it("lays a chunk message out as AWS specifies: lengths, string headers, payload {bytes: base64}", () => {
    const frame = Buffer.from(bedrockFrame({ type: "ping" }));
    const total = frame.readUInt32BE(0);
    const headersLength = frame.readUInt32BE(4);
    expect(total).toBe(frame.length);
    expect(frame.readUInt32BE(8)).toBe(zlibCrc32(frame.subarray(0, 8)));
    expect(frame.readUInt32BE(total - 4)).toBe(zlibCrc32(frame.subarray(0, total - 4)));
    const headers: Record<string, string> = {};
    for (let at = 12; at < 12 + headersLength; ) {
      const nameLength = frame.readUInt8(at);
      const name = frame.toString("utf8", at + 1, at + 1 + nameLength);
      expect(frame.readUInt8(at + 1 + nameLength)).toBe(7);
      const valueLength = frame.readUInt16BE(at + 2 + nameLength);
      headers[name] = frame.toString("utf8", at + 4 + nameLength, at + 4 + nameLength + valueLength);
      at += 4 + nameLength + valueLength;
    }
    expect(headers).toEqual({ ":event-type": "chunk", ":content-type": "application/json", ":message-type": "event" });
    const payload = JSON.parse(frame.toString("utf8", 12 + headersLength, total - 4)) as { bytes: string };
    expect(JSON.parse(Buffer.from(payload.bytes, "base64").toString("utf8"))).toEqual({ type: "ping" });
  });

  it("a message whose CRC does not match is refused by the SDK's decoder", async () => {
    const frame = Buffer.from(encodeEventStreamMessage({ ":message-type": "event", ":event-type": "chunk" }, Buffer.from('{"bytes":"e30="}')));
    frame[frame.length - 6]! ^= 0xff;
    await expect(sseOf([frame])).rejects.toThrow(/checksum/i);
  });

  it("the table CRC-32 (for runtimes without zlib.crc32) matches zlib's and the standard check value", () => {
    expect(tableCrc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    const data = bedrockFrame({ type: "message_stop" });
    expect(tableCrc32(data)).toBe(zlibCrc32(data));
    expect(tableCrc32(new Uint8Array())).toBe(0);
  });
});
