// One stream of each kind the chain benchmark opens, and what it records: per-delta latency
// (wire server write → receive, one clock), TTFT overhead, and whether the stream ended right.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import type { ClientReadableStream } from "@grpc/grpc-js";
import { FinishReason, MessageRole, SendMessageRequest, StopReason, type RunEvent } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import type { ChainStack } from "./chain-stack.js";
import { deltaId, type WireServer } from "./chain-wire.js";

/** What the streams of one phase recorded. */
export class PhaseRecord {
  readonly latencyMs: number[] = [];
  /** Client-observed time to the first delta, in ms. */
  readonly ttftMs: number[] = [];
  /** The same minus the wire server's own request-to-first-delta time. */
  readonly ttftOverheadMs: number[] = [];
  deltas = 0;
  errors = 0;
  readonly errorSamples: string[] = [];
  /** Called when a stream received its last expected delta. */
  onLastDelta: (() => void) | undefined;

  fail(message: string): void {
    this.errors += 1;
    if (this.errorSamples.length < 5) this.errorSamples.push(message);
  }
}

/** Follows the deltas of one stream: order, count, latency and TTFT against the wire server. */
class DeltaTracker {
  private readonly startedAt = performance.now();
  private last = -1;
  count = 0;

  constructor(private readonly target: StreamTarget) {}

  /**
   * One received text: every delta is a word ("12 "), and deltas that reached the adapter
   * together arrive as one text, each counted with the time the text arrived.
   */
  take(text: string): string | undefined {
    const at = performance.now();
    for (const word of text.split(" ")) {
      if (word === "") continue;
      const problem = this.takeOne(word, at);
      if (problem) return problem;
    }
    return undefined;
  }

  private takeOne(word: string, at: number): string | undefined {
    const { rec, wire } = this.target;
    this.count += 1;
    rec.deltas += 1;
    if (this.count === this.target.expectedDeltas) rec.onLastDelta?.();
    if (this.count === 1) rec.ttftMs.push(at - this.startedAt);
    if (!wire) return undefined;
    const id = deltaId(word);
    if (!(id > this.last)) return `delta "${word}" after ${this.last}: out of order or not written by the wire server`;
    this.last = id;
    // The first delta counts toward TTFT; latency is taken from the paced deltas that follow.
    if (this.count === 1) rec.ttftOverheadMs.push(at - this.startedAt - wire.providerTtftMs(id));
    else rec.latencyMs.push(at - wire.writtenAt(id));
    return undefined;
  }
}

export interface StreamTarget {
  readonly rec: PhaseRecord;
  readonly expectedDeltas: number;
  /** Set for streams served by the wire server: latency and TTFT overhead are recorded. */
  readonly wire: WireServer | undefined;
  readonly signal: AbortSignal;
}

/** SendMessage through agent-loop (→ provider-adapter → wire server or `conduit/scripted`). */
export function chainStream(stack: ChainStack, agentId: string, target: StreamTarget): Promise<void> {
  const request = SendMessageRequest.fromPartial({
    agentId,
    messages: [{ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "Stream the benchmark answer." } } }] }],
    streamTokens: true,
  });
  const tracker = new DeltaTracker(target);
  const kinds: string[] = [];
  let problem: string | undefined;
  let stopReason: StopReason | undefined;
  const call = stack.loop.sendMessage(request, stack.callerMetadata());
  call.on("data", (event: RunEvent) => {
    const payload = event.payload;
    kinds.push(payload?.$case ?? "none");
    if (payload?.$case === "assistant" && payload.value.content?.$case === "delta") {
      problem ??= tracker.take(payload.value.content.value);
    } else if (payload?.$case === "stop") stopReason = payload.value.stopReason;
    else if (payload?.$case === "error") problem ??= `error event: ${payload.value.message} (${payload.value.detail})`;
  });
  return settle(call, target, () => {
    const ending = kinds.slice(-2).join(",");
    if (problem) return problem;
    if (ending !== "stop,usage") return `stream ended with ${ending}`;
    if (stopReason !== StopReason.STOP_REASON_END_TURN) return `stop reason ${stopReason}`;
    if (tracker.count !== target.expectedDeltas) return `${tracker.count} deltas, expected ${target.expectedDeltas}`;
    return undefined;
  });
}

/** StreamCompletion straight to provider-adapter (one gRPC hop, then the SDK's HTTP). */
export function adapterStream(stack: ChainStack, target: StreamTarget): Promise<void> {
  const request = StreamCompletionRequest.fromPartial({
    model: "openai/bench",
    system: "You answer benchmark prompts.",
    messages: [{ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "Stream the benchmark answer." } } }] }],
  });
  const tracker = new DeltaTracker(target);
  let problem: string | undefined;
  let finish: FinishReason | undefined;
  const call = stack.adapter.streamCompletion(request, stack.internalMetadata());
  call.on("data", (event: CompletionEvent) => {
    const e = event.event;
    if (e?.$case === "textDelta") problem ??= tracker.take(e.value.text);
    else if (e?.$case === "finish") finish = e.value.reason;
  });
  return settle(call, target, () => {
    if (problem) return problem;
    if (finish !== FinishReason.FINISH_REASON_STOP) return `finish ${finish}`;
    if (tracker.count !== target.expectedDeltas) return `${tracker.count} deltas, expected ${target.expectedDeltas}`;
    return undefined;
  });
}

/** Resolves when the call ended (never rejects); records a failure, a hang or a wrong ending. */
function settle(call: ClientReadableStream<unknown>, target: StreamTarget, check: () => string | undefined): Promise<void> {
  return new Promise((resolve) => {
    let ended = false;
    let ok = false;
    const onAbort = () => call.cancel();
    target.signal.addEventListener("abort", onAbort, { once: true });
    const finish = (failure: string | undefined) => {
      target.signal.removeEventListener("abort", onAbort);
      if (failure) target.rec.fail(failure);
      resolve();
    };
    call.on("error", () => {}); // the status below says it
    call.on("status", (status: { code: number; details: string }) => {
      if (status.code !== 0) finish(target.signal.aborted ? "did not end before the phase deadline" : `status ${status.code}: ${status.details}`);
      else if (ended) finish(check());
      else ok = true;
    });
    call.on("end", () => {
      ended = true;
      if (ok) finish(check());
    });
  });
}

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: Infinity });

/** The same request straight to the wire server over HTTP: the floor of any chain. */
export function httpStream(wireUrl: string, target: StreamTarget): Promise<void> {
  const body = JSON.stringify({
    model: "bench",
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: "system", content: "You answer benchmark prompts." },
      { role: "user", content: "Stream the benchmark answer." },
    ],
  });
  const tracker = new DeltaTracker(target);
  return new Promise((resolve) => {
    let problem: string | undefined;
    let done = false;
    let buffer = "";
    let settled = false;
    const finish = (failure: string | undefined) => {
      if (settled) return;
      settled = true;
      if (failure) target.rec.fail(failure);
      resolve();
    };
    const req = httpRequest(
      `${wireUrl}/v1/chat/completions`,
      { method: "POST", agent: keepAlive, headers: { "content-type": "application/json" }, signal: target.signal },
      (res) => {
        res.setEncoding("utf8");
        res.on("data", (text: string) => {
          buffer += text;
          let end;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const data = buffer.slice(6, end); // "data: …"
            buffer = buffer.slice(end + 2);
            if (data === "[DONE]") done = true;
            else {
              const content = (JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content;
              if (content) problem ??= tracker.take(content);
            }
          }
        });
        res.on("end", () => {
          if (problem) finish(problem);
          else if (!done) finish("no [DONE]");
          else finish(tracker.count === target.expectedDeltas ? undefined : `${tracker.count} deltas, expected ${target.expectedDeltas}`);
        });
        res.on("error", (err) => finish(String(err)));
      },
    );
    req.on("error", (err) => finish(target.signal.aborted ? "did not end before the phase deadline" : String(err)));
    req.end(body);
  });
}
