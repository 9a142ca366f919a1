// Inner-thoughts benchmark: a ~1 MB memgpt tool call's arguments (thinking + message +
// request_heartbeat) fed to ArgumentStream in 1-character deltas, the way a provider may stream
// them, against the same text in one piece (the baseline) in the same run. A linear scanner keeps
// the ratio to the per-delta overhead; a Letta-style re-parse of the prefix would be quadratic.
import { ArgumentStream } from "../services/agent-loop/src/core/argument-stream.js";
import { numberFlag, percentile, round, writeResult } from "./support.js";

const WATCHED = ["thinking", "message"];
const SENTENCE =
  'The user asked about "streaming"; I\'ll explain it step by step.\n\tFirst: deltas arrive — café, 数据, 😀 — then C:\\path\\to\\file.\n';

/** Arguments whose JSON text is about `bytes` characters, a quarter thinking and the rest message. */
function argumentsText(bytes: number): { text: string; thinking: string; message: string } {
  const repeat = (chars: number) => SENTENCE.repeat(Math.max(1, Math.round(chars / SENTENCE.length)));
  const thinking = repeat(bytes / 4 / 1.1); // JSON escapes make the text about 10% longer
  const message = repeat((bytes * 3) / 4 / 1.1);
  return { text: JSON.stringify({ thinking, message, request_heartbeat: false }), thinking, message };
}

/** Feeds `text` in pieces of `size` characters; returns the elapsed ms and the decoded fields. */
function scan(text: string, size: number): { ms: number; thinking: string; message: string } {
  const start = process.hrtime.bigint();
  const stream = new ArgumentStream(WATCHED);
  let deltas = 0;
  for (let i = 0; i < text.length; i += size) deltas += stream.push(size === 1 ? text[i]! : text.slice(i, i + size)).length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (stream.state !== "complete" || deltas === 0) throw new Error(`stream ended ${stream.state}`);
  return { ms, thinking: stream.valueOf("thinking"), message: stream.valueOf("message") };
}

export async function run(args: string[]): Promise<void> {
  const bytes = numberFlag(args, "--bytes", 1 << 20);
  const repetitions = numberFlag(args, "--reps", 7);
  const { text, thinking, message } = argumentsText(bytes);
  const oneByteMs: number[] = [];
  const singleMs: number[] = [];
  const parseMs: number[] = [];
  for (let r = -1; r < repetitions; r++) {
    const small = scan(text, 1);
    const whole = scan(text, text.length);
    for (const result of [small, whole]) {
      if (result.thinking !== thinking || result.message !== message) throw new Error("decoded fields differ from the input");
    }
    const start = process.hrtime.bigint();
    JSON.parse(text);
    if (r < 0) continue; // warm-up
    parseMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    oneByteMs.push(small.ms);
    singleMs.push(whole.ms);
  }
  const oneByte = percentile(oneByteMs, 50);
  const single = percentile(singleMs, 50);
  writeResult("inner-thoughts", {
    bytes: text.length, // UTF-16 code units; the text is mostly ASCII, so about its UTF-8 bytes
    one_byte_deltas_ms: round(oneByte, 1),
    single_chunk_ms: round(single, 2),
    ratio: round(oneByte / single, 1),
    deltas_per_s: Math.round(text.length / (oneByte / 1000)),
    repetitions,
    // For scale: V8's native JSON.parse of the whole text once (no streaming).
    json_parse_ms: round(percentile(parseMs, 50), 2),
  });
}
