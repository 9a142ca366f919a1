// The runs the cancel benchmark times, one at a time: a run started on replica A and cancelled
// through A or B; a replay of a background run's log through StreamRun; a stream whose deltas
// are paced by the wire server, foreground or background, optionally followed through B.
// Every time is performance.now() in this process, the wire server's clock too.
import { performance } from "node:perf_hooks";
import type { ClientReadableStream } from "@grpc/grpc-js";
import { callUnary } from "@conduit/grpc-kit";
import { MessageRole, RunStatus, SendMessageRequest, StopReason, StreamRunRequest, type RunEvent } from "@conduit/proto/agent/v1";
import type { CancelStack, LoopClient } from "./cancel-stack.js";
import type { BusTap } from "./cancel-tap.js";
import { deltaId, type CancelWire } from "./cancel-wire.js";

const RUN_DEADLINE_MS = 15_000;

export const userMessage = (agentId: string, background: boolean) =>
  SendMessageRequest.fromPartial({
    agentId,
    messages: [{ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "Stream the benchmark answer." } } }] }],
    streamTokens: true,
    background,
  });

type Case = NonNullable<RunEvent["payload"]>["$case"];

/** Follows a server stream: calls `onEvent` per event; resolves with the kinds seen, or a failure. Never rejects. */
function follow(call: ClientReadableStream<RunEvent>, onEvent: (e: RunEvent, at: number) => void): Promise<{ kinds: Case[]; failure?: string }> {
  const kinds: Case[] = [];
  return new Promise((resolve) => {
    let ended = false;
    let status: { code: number; details: string } | undefined;
    const timer = setTimeout(() => call.cancel(), RUN_DEADLINE_MS);
    const done = () => {
      clearTimeout(timer);
      if (status!.code !== 0) resolve({ kinds, failure: `status ${status!.code}: ${status!.details}` });
      else resolve({ kinds });
    };
    call.on("data", (e: RunEvent) => {
      kinds.push(e.payload?.$case ?? ("none" as Case));
      onEvent(e, performance.now());
    });
    call.on("error", () => {}); // the status says it
    call.on("status", (s: { code: number; details: string }) => {
      status = s;
      if (ended || s.code !== 0) done();
    });
    call.on("end", () => {
      ended = true;
      if (status) done();
    });
  });
}

const endsRight = (kinds: readonly Case[]) => kinds.slice(-2).join(",") === "stop,usage";

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms).unref())]);

export interface CancelSample {
  /** CancelRun issued → A's stream delivers stop{cancelled}. */
  stopMs: number;
  /** CancelRun issued → the wire server sees the upstream request's connection close. */
  upstreamCloseMs: number;
  /** CancelRun issued → CancelRun answered (it waits for the owner's "ended"). */
  rpcMs: number;
  /** CancelRun issued → A's stream closed OK. */
  streamEndMs: number;
  /** CancelRun issued → the owner's "ended" notice on NATS. */
  endedOnBusMs: number;
  /** CancelRun issued → the cancel request on NATS; undefined when the owner itself took the call. */
  cancelOnBusMs: number | undefined;
}

/** Starts a run on A against a stalling upstream; once a delta arrived, cancels it through `via`. */
export async function cancelOnce(stack: CancelStack, wire: CancelWire, tap: BusTap, agentId: string, via: LoopClient): Promise<CancelSample | string> {
  const arrived = wire.nextRequest();
  const metadata = stack.metadata();
  let issuedAt: number | undefined;
  let runId = "";
  let stopAt: number | undefined;
  let stopReason: StopReason | undefined;
  let cancelling: Promise<{ at: number; status: RunStatus | undefined } | string> | undefined;
  const call = stack.a.sendMessage(userMessage(agentId, false), metadata);
  const { kinds, failure } = await follow(call, (e, at) => {
    const p = e.payload;
    runId ||= e.runId;
    if (p?.$case === "assistant" && issuedAt === undefined) {
      issuedAt = performance.now();
      cancelling = callUnary(via.cancelRun.bind(via), { runId: e.runId }, { metadata, timeoutMs: RUN_DEADLINE_MS }).then(
        (res) => ({ at: performance.now(), status: res.run?.status }),
        (err: unknown) => `CancelRun failed: ${String(err)}`,
      );
    } else if (p?.$case === "stop") {
      stopAt = at;
      stopReason = p.value.stopReason;
    }
  });
  const endAt = performance.now();
  if (failure) return failure;
  if (issuedAt === undefined || !cancelling) return `no delta before the stream ended (${kinds.join(",")})`;
  if (!endsRight(kinds)) return `stream ended with ${kinds.slice(-2).join(",")}`;
  if (stopReason !== StopReason.STOP_REASON_CANCELLED) return `stop reason ${stopReason}`;
  const answer = await cancelling;
  if (typeof answer === "string") return answer;
  if (answer.status !== RunStatus.RUN_STATUS_CANCELLED) return `CancelRun answered status ${answer.status}`;
  try {
    const upstream = await within(arrived, 5_000, "upstream request");
    await within(upstream.closed, 5_000, "upstream close");
    if (upstream.finished) return "the upstream response finished instead of being closed by the client";
    await tap.sync();
    const ended = tap.seen(runId, "ended");
    if (ended === undefined) return "no ended notice on NATS";
    const cancelSeen = tap.seen(runId, "cancel");
    return {
      stopMs: stopAt! - issuedAt,
      upstreamCloseMs: upstream.closedAt! - issuedAt,
      rpcMs: answer.at - issuedAt,
      streamEndMs: endAt - issuedAt,
      endedOnBusMs: ended - issuedAt,
      cancelOnBusMs: cancelSeen === undefined ? undefined : cancelSeen - issuedAt,
    };
  } catch (err) {
    return String(err);
  }
}

/** Runs a background SendMessage on A to its end; resolves to its run id and event count. */
export async function backgroundRun(stack: CancelStack, agentId: string): Promise<{ runId: string; events: number; ms: number }> {
  const startedAt = performance.now();
  let runId = "";
  const { kinds, failure } = await follow(stack.a.sendMessage(userMessage(agentId, true), stack.metadata()), (e) => (runId ||= e.runId));
  if (failure || !endsRight(kinds)) throw new Error(`background run: ${failure ?? kinds.slice(-2).join(",")}`);
  return { runId, events: kinds.length, ms: performance.now() - startedAt };
}

export interface ReplaySample {
  totalMs: number;
  firstEventMs: number;
  firstToLastMs: number;
}

/** StreamRun(starting_after = 0) of an ended background run through `via`; checks it carries all `expected` events in order. */
export async function replayOnce(stack: CancelStack, via: LoopClient, runId: string, expected: number): Promise<ReplaySample | string> {
  let firstAt: number | undefined;
  let lastAt = 0;
  let seq = 0;
  let gap: string | undefined;
  const startedAt = performance.now();
  const call = via.streamRun(StreamRunRequest.fromPartial({ runId, startingAfter: "0" }), stack.metadata());
  const { kinds, failure } = await follow(call, (e, at) => {
    firstAt ??= at;
    lastAt = at;
    if (Number(e.seqId) !== ++seq) gap ??= `seq_id ${e.seqId} where ${seq} was expected`;
  });
  const totalMs = performance.now() - startedAt;
  if (failure) return failure;
  if (gap) return gap;
  if (kinds.length !== expected || !endsRight(kinds)) return `${kinds.length} events ending ${kinds.slice(-2).join(",")}, expected ${expected}`;
  return { totalMs, firstEventMs: firstAt! - startedAt, firstToLastMs: lastAt - firstAt! };
}

/** Per-delta latencies (wire write → receive) of one paced run; the follower's only for deltas written after it joined. */
export interface PacedSample {
  owner: number[];
  follower: number[];
  /** The upstream's last delta written → the owner's stream delivers `stop`: the run's ending without a cancel. */
  lastDeltaToStopMs: number;
}

/**
 * A SendMessage on A whose deltas the wire server paces. With `followThroughB`, a StreamRun on B
 * joins as soon as run_started arrives. The first delta is left out (it carries the run's
 * start-up, not a delta's cost).
 */
export async function pacedRun(
  stack: CancelStack,
  wire: CancelWire,
  agentId: string,
  opts: { background: boolean; followThroughB: boolean; deltas: number },
): Promise<PacedSample | string> {
  const metadata = stack.metadata();
  const owner: number[] = [];
  const follower: number[] = [];
  let followed: Promise<{ kinds: Case[]; failure?: string }> | undefined;
  let followerJoinedAt = Number.POSITIVE_INFINITY;
  let ownerDeltas = 0;
  let followerDeltas = 0;
  let lastWrittenAt = Number.NaN;
  let stopAt = Number.NaN;
  const latency = (text: string, at: number) => at - wire.writtenAt(deltaId(text));
  const ownerCall = stack.a.sendMessage(userMessage(agentId, opts.background), metadata);
  const mine = await follow(ownerCall, (e, at) => {
    const p = e.payload;
    if (p?.$case === "runStarted" && opts.followThroughB) {
      const call = stack.b.streamRun(StreamRunRequest.fromPartial({ runId: e.runId, startingAfter: "0" }), metadata);
      followed = follow(call, (f, fAt) => {
        followerJoinedAt = Math.min(followerJoinedAt, fAt);
        const q = f.payload;
        if (q?.$case === "assistant" && q.value.content?.$case === "delta") {
          followerDeltas += 1;
          if (wire.writtenAt(deltaId(q.value.content.value)) > followerJoinedAt) follower.push(latency(q.value.content.value, fAt));
        }
      });
    } else if (p?.$case === "assistant" && p.value.content?.$case === "delta") {
      lastWrittenAt = wire.writtenAt(deltaId(p.value.content.value));
      if (++ownerDeltas > 1) owner.push(latency(p.value.content.value, at));
    } else if (p?.$case === "stop") stopAt = at;
  });
  if (mine.failure) return mine.failure;
  if (!endsRight(mine.kinds) || ownerDeltas !== opts.deltas) return `owner stream: ${ownerDeltas} deltas ending ${mine.kinds.slice(-2).join(",")}`;
  if (followed) {
    const theirs = await followed;
    if (theirs.failure) return `follower: ${theirs.failure}`;
    if (!endsRight(theirs.kinds) || followerDeltas !== opts.deltas) return `follower: ${followerDeltas} deltas ending ${theirs.kinds.slice(-2).join(",")}`;
  }
  return { owner, follower, lastDeltaToStopMs: stopAt - lastWrittenAt };
}
