import type { RunEvent } from "@conduit/proto/agent/v1";

export type PayloadCase = NonNullable<RunEvent["payload"]>["$case"];

/** RunEvent's payload field numbers (run_event.proto), by case. */
const PAYLOAD_FIELDS: Readonly<Record<number, PayloadCase>> = {
  10: "runStarted",
  11: "reasoning",
  12: "hiddenReasoning",
  13: "assistant",
  14: "toolCall",
  15: "toolReturn",
  16: "approvalRequest",
  17: "ping",
  18: "error",
  19: "stop",
  20: "usage",
};
const SEQ_ID_FIELD = 2;

/**
 * A RunEvent kept as the bytes it was logged as: a replay sends them on as they are, reading only
 * the seq_id and the payload's kind, instead of decoding every event and encoding it again.
 */
export class EncodedRunEvent {
  private constructor(
    readonly bytes: Uint8Array,
    readonly seq: number,
    readonly payloadCase: PayloadCase | undefined,
  ) {}

  /** Reads the top-level fields of a RunEvent's wire bytes; throws on bytes that are not one. */
  static of(bytes: Uint8Array): EncodedRunEvent {
    let seq = 0;
    let payloadCase: PayloadCase | undefined;
    const reader = new WireReader(bytes);
    while (!reader.done) {
      const tag = reader.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (field === SEQ_ID_FIELD && wireType === 0) seq = reader.varint();
      else {
        if (PAYLOAD_FIELDS[field] !== undefined) payloadCase = PAYLOAD_FIELDS[field];
        reader.skip(wireType);
      }
    }
    return new EncodedRunEvent(bytes, seq, payloadCase);
  }
}

/** What a stream of run events carries: decoded events, or logged ones passed through. */
export type StreamedEvent = RunEvent | EncodedRunEvent;

export const seqOf = (event: StreamedEvent): number => (event instanceof EncodedRunEvent ? event.seq : Number(event.seqId));

export const payloadCaseOf = (event: StreamedEvent): PayloadCase | undefined =>
  event instanceof EncodedRunEvent ? event.payloadCase : event.payload?.$case;

/** Protobuf wire format, just enough to walk top-level fields. */
class WireReader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** A varint as a number; exact up to 2^53, which seq_ids never reach. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length) throw new RangeError("truncated varint");
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 63) throw new RangeError("varint too long");
    }
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 2) {
      const length = this.varint();
      this.at += length;
    }
    else if (wireType === 5) this.at += 4;
    else throw new RangeError(`unsupported wire type ${wireType}`);
    if (this.at > this.bytes.length) throw new RangeError("truncated field");
  }
}
