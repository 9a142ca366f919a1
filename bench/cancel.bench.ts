// Cancel benchmark, distributed mode: two agent-loop replicas A and B on one NATS (JetStream),
// message-store on a throwaway Postgres, provider-adapter pointed at an OpenAI wire server in
// this process. Runs are started on A.
// - cancel: the upstream sends two deltas and stalls; on the first delta, CancelRun goes
//   through B (the figure) or, interleaved as the baseline, through A itself. A NATS
//   listener splits the time: cancel request on the bus, upstream closed, stop, ended notice.
// - resume: a background `conduit/scripted` run of 10,000 text chunks, ended, replayed with
//   StreamRun(starting_after = 0) through B; baseline: the same log read straight from
//   JetStream by this process.
// - background: per-delta latency (wire write → receive) of foreground and background
//   SendMessage runs interleaved, and of a StreamRun follower on B; and, for comparison with
//   a cancel, how long a run's normal ending takes (last delta written → stop).
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ModelSettings, RunEvent, type ScriptedAction } from "@conduit/proto/agent/v1";
import { loggedProblems, treeCpuSeconds } from "./chain-stack.js";
import { backgroundRun, cancelOnce, pacedRun, replayOnce, type CancelSample, type ReplaySample } from "./cancel-runs.js";
import { startCancelStack, type CancelStack } from "./cancel-stack.js";
import { startBusTap } from "./cancel-tap.js";
import { startCancelWire, type CancelWire } from "./cancel-wire.js";
import { numberFlag, percentile, round, writeResult } from "./support.js";

const stats = (sample: readonly number[]) => ({
  p50_ms: round(percentile(sample, 50)),
  p99_ms: round(percentile(sample, 99)),
  max_ms: round(Math.max(...sample)),
  n: sample.length,
});
const median = (sample: readonly number[]) => percentile(sample, 50);

/** Failures of one phase: how many, and the first few. */
class Failures {
  count = 0;
  readonly samples: string[] = [];
  note(message: string): void {
    this.count += 1;
    if (this.samples.length < 5) this.samples.push(message);
  }
}

function scriptedChunks(chunks: number): ModelSettings {
  const text: ScriptedAction = { action: { $case: "text", value: { chunks: Array.from({ length: chunks }, (_, i) => `${i} `) } } };
  const usage: ScriptedAction = { action: { $case: "usage", value: { promptTokens: 10, completionTokens: chunks, stepCount: 0 } } };
  return ModelSettings.fromPartial({ scripted: { cycle: true, turns: [{ actions: [text, usage] }] } });
}

export async function run(args: string[]): Promise<void> {
  const runs = numberFlag(args, "--runs", 200);
  const replayEvents = numberFlag(args, "--chunks", 10_000);
  const replays = numberFlag(args, "--replays", 10);
  const rounds = numberFlag(args, "--rounds", 20);
  const deltas = numberFlag(args, "--deltas", 50);
  const intervalMs = numberFlag(args, "--interval-ms", 10);
  // `--profile DIR`: both replicas write a V8 CPU profile there when they stop.
  const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined;
  const loadBefore = loadavg();
  const startedAt = performance.now();

  const wire = await startCancelWire();
  const stack = await startCancelStack(wire.url, profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []);
  try {
    const cancel = await cancelPhase(stack, wire, runs);
    const resume = await resumePhase(stack, replayEvents, replays);
    const background = await backgroundPhase(stack, wire, rounds, deltas, intervalMs);
    const fg = median(background.samples.foreground);
    const bg = median(background.samples.background);
    writeResult("cancel", {
      runs: cancel.b.stopMs.length,
      cancel_to_stop_p50_ms: round(percentile(cancel.b.stopMs, 50)),
      cancel_to_stop_p99_ms: round(percentile(cancel.b.stopMs, 99)),
      cancel_to_upstream_close_p99_ms: round(percentile(cancel.b.upstreamCloseMs, 99)),
      resume_10k_events_ms: round(median(resume.b.map((s) => s.totalMs)), 1),
      // The p50 itself, as named; the target is on what background mode adds to the foreground p50.
      background_delta_latency_p50_ms: round(bg),
      foreground_delta_latency_p50_ms: round(fg),
      background_adds_p50_ms: round(bg - fg),
      details: {
        cancel: {
          through_b: cancelSummary(cancel.b),
          baseline_through_a: cancelSummary(cancel.a),
          failures: cancel.failures.count,
          failure_samples: cancel.failures.samples,
        },
        resume: {
          events: resume.events,
          background_run_ms: round(resume.runMs, 1),
          replays: resume.b.length,
          through_b_total_ms: stats(resume.b.map((s) => s.totalMs)),
          through_b_first_event_ms: stats(resume.b.map((s) => s.firstEventMs)),
          through_b_first_to_last_ms: stats(resume.b.map((s) => s.firstToLastMs)),
          through_b_cpu_ms_median: resume.cpuMs,
          baseline_jetstream_read_ms: stats(resume.direct),
          failures: resume.failures.count,
          failure_samples: resume.failures.samples,
        },
        background: {
          rounds,
          deltas_per_run: deltas,
          wire_interval_ms: intervalMs,
          foreground_delta_latency_ms: stats(background.samples.foreground),
          background_delta_latency_ms: stats(background.samples.background),
          background_adds_p50_ms: round(bg - fg),
          foreground_last_delta_to_stop_ms: stats(background.samples.ending),
          follower_through_b_delta_latency_ms: stats(background.samples.follower),
          failures: background.failures.count,
          failure_samples: background.failures.samples,
        },
      },
      load_average_before: loadBefore.map((l) => round(l, 2)),
      load_average_after: loadavg().map((l) => round(l, 2)),
      wall_s: round((performance.now() - startedAt) / 1000, 1),
      service_log_problems: {
        agent_loop_a: loggedProblems(stack.services.a),
        agent_loop_b: loggedProblems(stack.services.b),
        provider_adapter: loggedProblems(stack.services.adapter),
        message_store: loggedProblems(stack.services.store),
      },
    });
  } finally {
    await stack.stop();
    await wire.close();
  }
}

type CancelTimes = { [K in keyof CancelSample]-?: number[] };
const emptyTimes = (): CancelTimes => ({ stopMs: [], upstreamCloseMs: [], rpcMs: [], streamEndMs: [], endedOnBusMs: [], cancelOnBusMs: [] });

/** Each time from issuing CancelRun, in the order things happen. */
function cancelSummary(t: CancelTimes) {
  return {
    runs: t.stopMs.length,
    ...(t.cancelOnBusMs.length > 0 ? { cancel_request_on_nats_ms: stats(t.cancelOnBusMs) } : {}),
    upstream_closed_ms: stats(t.upstreamCloseMs),
    stop_received_ms: stats(t.stopMs),
    stream_closed_ms: stats(t.streamEndMs),
    ended_notice_on_nats_ms: stats(t.endedOnBusMs),
    cancel_rpc_answered_ms: stats(t.rpcMs),
  };
}

/** `runs` cancels through B and half as many through A, interleaved, each run on its own agent. */
async function cancelPhase(stack: CancelStack, wire: CancelWire, runs: number) {
  wire.plan({ kind: "stall", deltas: 2 });
  const warmups = 20;
  const total = runs + Math.ceil(runs / 2);
  const agents = await stack.createAgents(warmups + total, { model: "openai/bench" });
  const failures = new Failures();
  const times = { a: emptyTimes(), b: emptyTimes() };
  const tap = await startBusTap(stack.nats.url);
  process.stderr.write(`cancel: ${warmups} warm-up runs, then ${runs} through B and ${total - runs} through A\n`);
  for (let i = 0; i < warmups + total; i++) {
    const k = i - warmups;
    const via = k >= 0 && k % 3 === 2 ? "a" : "b";
    const sample = await cancelOnce(stack, wire, tap, agents[i]!, stack[via]);
    if (typeof sample === "string") failures.note(`${via}: ${sample}`);
    else if (k >= 0) {
      for (const key of Object.keys(sample) as Array<keyof CancelSample>) {
        const value = sample[key];
        if (value !== undefined) times[via][key].push(value);
      }
    }
  }
  await tap.close();
  process.stderr.write(`cancel: through B stop p50 ${percentile(times.b.stopMs, 50)} ms; ${failures.count} failures\n`);
  return { ...times, failures };
}

/** Two background runs of `chunks` text chunks; each replayed through B `replays` times after one warm-up replay, and read straight from JetStream. */
async function resumePhase(stack: CancelStack, chunks: number, replays: number) {
  const agents = await stack.createAgents(2, { model: "conduit/scripted", modelSettings: scriptedChunks(chunks) });
  const failures = new Failures();
  const b: ReplaySample[] = [];
  const cpu: Array<Record<string, number>> = [];
  const direct: number[] = [];
  let events = 0;
  let runMs = 0;
  for (const agentId of agents) {
    const ran = await backgroundRun(stack, agentId);
    events = ran.events;
    runMs = ran.ms;
    process.stderr.write(`resume: background run of ${ran.events} events took ${Math.round(ran.ms)} ms\n`);
    // The warm-up replay also waits until every pipelined publish reached the log.
    const warm = await replayOnce(stack, stack.b, ran.runId, ran.events);
    if (typeof warm === "string") failures.note(`warm-up: ${warm}`);
    for (let i = 0; i < Math.ceil(replays / 2); i++) {
      const before = cpuOf(stack);
      const sample = await replayOnce(stack, stack.b, ran.runId, ran.events);
      const after = cpuOf(stack);
      if (typeof sample === "string") failures.note(sample);
      else {
        b.push(sample);
        cpu.push(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, (v - before[k]!) * 1000])));
      }
      try {
        direct.push(await readLogDirectly(stack.nats.url, ran.runId, ran.events));
      } catch (err) {
        failures.note(`direct read: ${String(err)}`);
      }
    }
  }
  process.stderr.write(`resume: through B median ${median(b.map((s) => s.totalMs))} ms, JetStream directly ${median(direct)} ms\n`);
  const cpuMs = Object.fromEntries(Object.keys(cpu[0] ?? {}).map((k) => [k, round(median(cpu.map((c) => c[k]!)), 0)]));
  return { events, runMs, b, cpuMs, direct, failures };
}

/** CPU seconds used so far by this process, replica B and nats-server (Linux; 10 ms ticks for the others). */
function cpuOf(stack: CancelStack): Record<string, number> {
  const own = process.cpuUsage();
  return { bench: (own.user + own.system) / 1e6, agent_loop_b: treeCpuSeconds(stack.services.b.pid), nats: treeCpuSeconds(stack.nats.pid ?? 0) };
}

/** The run's log read and decoded the way a replica reads it (same consumer settings), in this process: the floor of a replay. */
async function readLogDirectly(natsUrl: string, runId: string, expected: number): Promise<number> {
  const nc = await connect({ servers: natsUrl, name: "bench-reader" });
  try {
    const startedAt = performance.now();
    const consumer = await jetstream(nc).consumers.get("CONDUIT_RUN_EVENTS", { filter_subjects: `conduit.run.${runId}.events`, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    let count = 0;
    for await (const m of messages) {
      RunEvent.decode(m.data);
      if (++count === expected) break;
    }
    messages.stop();
    return performance.now() - startedAt;
  } finally {
    await nc.close();
  }
}

/** Rounds of three paced runs on A: foreground, background, background followed through B (order shuffled per round). */
async function backgroundPhase(stack: CancelStack, wire: CancelWire, rounds: number, deltas: number, intervalMs: number) {
  wire.plan({ kind: "paced", deltas, intervalMs });
  const kinds = ["foreground", "background", "followed"] as const;
  const agents = await stack.createAgents(kinds.length, { model: "openai/bench" });
  const samples = { foreground: [] as number[], background: [] as number[], follower: [] as number[], ending: [] as number[] };
  const failures = new Failures();
  for (let r = -2; r < rounds; r++) {
    const order = [...kinds].sort(() => Math.random() - 0.5);
    for (const kind of order) {
      const agentId = agents[kinds.indexOf(kind)]!;
      const sample = await pacedRun(stack, wire, agentId, { background: kind !== "foreground", followThroughB: kind === "followed", deltas });
      if (typeof sample === "string") failures.note(`${kind}: ${sample}`);
      else if (r >= 0) {
        // The followed run's owner stream is background too, but carries a follower's load: not mixed in.
        if (kind === "foreground") {
          samples.foreground.push(...sample.owner);
          samples.ending.push(sample.lastDeltaToStopMs);
        }
        if (kind === "background") samples.background.push(...sample.owner);
        samples.follower.push(...sample.follower);
      }
    }
  }
  process.stderr.write(
    `background: p50 foreground ${median(samples.foreground)} ms, background ${median(samples.background)} ms, follower on B ${median(samples.follower)} ms\n`,
  );
  return { samples, failures };
}
