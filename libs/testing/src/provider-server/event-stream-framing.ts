import * as zlib from "node:zlib";

/**
 * AWS event-stream framing (application/vnd.amazon.eventstream), as Bedrock's
 * `invoke-with-response-stream` sends it: each message is
 * `total length | headers length | prelude CRC32 | headers | payload | message CRC32`,
 * lengths big-endian uint32, every header a string (type 7).
 */
export function encodeEventStreamMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Uint8Array {
  const encodedHeaders = Buffer.concat(Object.entries(headers).map(([name, value]) => encodeHeader(name, value)));
  const total = 12 + encodedHeaders.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(encodedHeaders.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  encodedHeaders.copy(message, 12);
  Buffer.from(payload).copy(message, 12 + encodedHeaders.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** An exception Bedrock raises inside a 200 stream, e.g. `throttlingException`. */
export class BedrockStreamException {
  constructor(
    /** The `:exception-type` header: the camel-cased exception name. */
    readonly exceptionType: string,
    readonly message: string,
  ) {}
}

/**
 * One chunk of a Bedrock stream: an event message whose payload is `{"bytes": base64}` of the
 * Anthropic event (objects as JSON, strings as their bytes unchanged), or an exception message.
 */
export function bedrockFrame(chunk: unknown): Uint8Array {
  if (chunk instanceof BedrockStreamException) {
    return encodeEventStreamMessage(
      { ":message-type": "exception", ":exception-type": chunk.exceptionType, ":content-type": "application/json" },
      Buffer.from(JSON.stringify({ message: chunk.message })),
    );
  }
  const data = typeof chunk === "string" ? chunk : JSON.stringify(chunk);
  return encodeEventStreamMessage(
    { ":event-type": "chunk", ":content-type": "application/json", ":message-type": "event" },
    Buffer.from(JSON.stringify({ bytes: Buffer.from(data, "utf8").toString("base64") })),
  );
}

const STRING_HEADER = 7;

function encodeHeader(name: string, value: string): Buffer {
  const nameBytes = Buffer.from(name, "utf8");
  const valueBytes = Buffer.from(value, "utf8");
  const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
  header.writeUInt8(nameBytes.length, 0);
  nameBytes.copy(header, 1);
  header.writeUInt8(STRING_HEADER, 1 + nameBytes.length);
  header.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
  valueBytes.copy(header, 4 + nameBytes.length);
  return header;
}

// zlib.crc32 arrived in Node 20.15; older runtimes get the table version.
const nativeCrc32: ((data: Uint8Array) => number) | undefined = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 (IEEE 802.3, the one event-stream uses). */
export function crc32(data: Uint8Array): number {
  return nativeCrc32 ? nativeCrc32(data) : tableCrc32(data);
}

let table: Uint32Array | undefined;

export function tableCrc32(data: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
