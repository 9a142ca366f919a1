// Chain benchmark: SendMessage streams through agent-loop → provider-adapter → an OpenAI Chat
// Completions wire server in this process, at 1, 100 and 1,000 concurrent streams. The wire
// server tags every delta with an id and paces --deltas deltas per stream, --interval-ms apart,
// so delta latency (wire write → client receive) and TTFT overhead (client TTFT minus the wire
// server's own request-to-first-delta) are read on one clock. Baselines in the same run: the
// same streams from provider-adapter's StreamCompletion (one hop) and straight over HTTP, and a
// bare gRPC echo round trip (`grpc-echo.ts`): the machine's cost of one hop.
// Throughput: the same number of deltas from `conduit/scripted`, unpaced, through the chain.
import { setMaxListeners } from "node:events";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { ModelSettings, type ScriptedAction } from "@conduit/proto/agent/v1";
import { loggedProblems, sampleRss, startChainStack, treeCpuSeconds, type ChainStack } from "./chain-stack.js";
import { adapterStream, chainStream, httpStream, PhaseRecord, type StreamTarget } from "./chain-streams.js";
import { startWireServer, type WireServer } from "./chain-wire.js";
import { measureRoundTrips } from "./grpc-echo.js";
import { numberFlag, percentile, round, writeResult } from "./support.js";

type Kind = "chain" | "adapter" | "http" | "scripted";

interface Phase {
  kind: Kind;
  streams: number;
  /** "concurrent": all streams opened at once; "sequential": one after another (TTFT alone). */
  mode: "concurrent" | "sequential";
  deltas: number;
  errors: number;
  error_samples: string[];
  wall_s: number;
  deltas_per_s: number;
  delta_latency_p50_ms?: number;
  delta_latency_p99_ms?: number;
  ttft_p50_ms: number;
  ttft_p99_ms: number;
  ttft_overhead_p50_ms?: number;
  ttft_overhead_p99_ms?: number;
  /** CPU seconds each process used during the phase (the machine has 2 cores). */
  cpu_s: Record<string, number>;
  /** Peak RSS of each service during the phase. */
  peak_rss_mb: Record<string, number>;
  /** CPU per delta while every stream was open and none was starting or ending (wire-paced phases). */
  streaming_window?: { seconds: number; deltas: number; cpu_us_per_delta: Record<string, number> };
}

interface Snapshot {
  at: number;
  deltas: number;
  cpu: Record<string, number>;
}

function listFlag(args: readonly string[], flag: string, fallback: number[]): number[] {
  const i = args.indexOf(flag);
  if (i === -1) return fallback;
  const values = (args[i + 1] ?? "").split(",").map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`${flag} expects positive integers, e.g. 1,100,1000`);
  return values;
}

function scriptedSettings(deltas: number): ModelSettings {
  const text: ScriptedAction = { action: { $case: "text", value: { chunks: Array.from({ length: deltas }, (_, i) => `${i} `) } } };
  const usage: ScriptedAction = { action: { $case: "usage", value: { promptTokens: 10, completionTokens: deltas, stepCount: 0 } } };
  return ModelSettings.fromPartial({ scripted: { cycle: true, turns: [{ actions: [text, usage] }] } });
}

export async function run(args: string[]): Promise<void> {
  const deltas = numberFlag(args, "--deltas", 100);
  const intervalMs = numberFlag(args, "--interval-ms", 20);
  const levels = listFlag(args, "--streams", [1, 100, 1000]);
  const ttftRuns = numberFlag(args, "--ttft-runs", 50);
  // One-delta runs before measuring, through each path: V8 optimizes a run's set-up code
  // (auth, store calls, request building, the SDK's request) only after a few thousand calls.
  const warmupRuns = numberFlag(args, "--warmup-runs", 1000);
  const deadlineMs = numberFlag(args, "--deadline-s", 60) * 1000;
  // `--profile DIR`: each service writes a V8 CPU profile there when it stops.
  const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined;
  const prof = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];

  // The machine is shared: the load from other work explains much of the spread between runs.
  const loadBefore = round(loadavg()[0]!, 2);
  const wire = await startWireServer();
  const stack = await startChainStack(wire.url, { agentLoop: prof, adapter: prof, store: prof });
  try {
    const bench = new ChainBench(stack, wire, deadlineMs);
    const openAgents = (count: number) => stack.createAgents(count, { model: "openai/bench" });
    const scriptedAgents = (count: number, n: number) => stack.createAgents(count, { model: "conduit/scripted", modelSettings: scriptedSettings(n) });

    // Warm-up: JIT, connection pools and caches, so the first level is not a cold start.
    process.stderr.write("warm-up (not recorded):\n");
    const [warmOpen, warmScripted] = await Promise.all([openAgents(20), scriptedAgents(20, 10)]);
    for (const kind of ["http", "adapter", "chain", "scripted"] as const) {
      await bench.concurrent(kind, 20, 10, 2, kind === "scripted" ? warmScripted : warmOpen);
    }
    // Each warm-up agent takes several runs in turn (one active run per agent).
    const warmAgents = await openAgents(Math.min(50, warmupRuns));
    const warmTurns = Array.from({ length: warmupRuns }, (_, i) => warmAgents[i % warmAgents.length]!);
    for (const kind of ["adapter", "chain"] as const) await bench.sequential(kind, warmTurns);

    // TTFT of one run at a time, nothing else in flight: what one run costs.
    const sequential: Phase[] = [];
    const ttftAgents = await openAgents(ttftRuns);
    for (const kind of ["http", "adapter", "chain"] as const) sequential.push(await bench.sequential(kind, ttftAgents));

    // The machine's own floor: a bare gRPC round trip, with nothing else running.
    const grpcRoundTrip = await measureRoundTrips(ttftRuns * 4);

    const phases: Phase[] = [];
    for (const streams of levels) {
      // Each stream its own fresh agent (one active run per agent), created before timing.
      const [openIds, scriptedIds] = await Promise.all([openAgents(streams), scriptedAgents(streams, deltas)]);
      for (const kind of ["http", "adapter", "chain"] as const) phases.push(await bench.concurrent(kind, streams, deltas, intervalMs, openIds));
      phases.push(await bench.concurrent("scripted", streams, deltas, intervalMs, scriptedIds));
    }

    writeResult("chain", {
      deltas_per_stream: deltas,
      wire_interval_ms: intervalMs,
      warmup_runs: warmupRuns,
      load_average_1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
      levels: levels.map((streams) => levelRow(streams, phases, sequential)),
      sequential_ttft: sequential.map((p) => ({
        kind: p.kind,
        runs: p.streams,
        errors: p.errors,
        ttft_overhead_p50_ms: p.ttft_overhead_p50_ms,
        ttft_overhead_p99_ms: p.ttft_overhead_p99_ms,
        cpu_ms_per_run: Object.fromEntries(Object.entries(p.cpu_s).map(([k, v]) => [k, round((v * 1000) / p.streams, 1)])),
      })),
      grpc_round_trip: grpcRoundTrip,
      phases,
      // Problems the services logged during the whole run (warm-up included).
      service_log_problems: {
        agent_loop: loggedProblems(stack.services.agentLoop),
        provider_adapter: loggedProblems(stack.services.adapter),
        message_store: loggedProblems(stack.services.store),
      },
    });
  } finally {
    await stack.stop();
    await wire.close();
  }
}

/** Runs phases of streams of one kind against the stack and summarizes them. */
class ChainBench {
  constructor(
    private readonly stack: ChainStack,
    private readonly wire: WireServer,
    private readonly deadlineMs: number,
  ) {}

  /** `streams` streams of `deltas` deltas opened at once; paced by the wire server except `scripted`. */
  async concurrent(kind: Kind, streams: number, deltas: number, intervalMs: number, agents: readonly string[]): Promise<Phase> {
    const opened = this.wire.beginPhase({ deltas, intervalMs, barrier: streams, barrierTimeoutMs: this.deadlineMs / 2 });
    const measure = this.start();
    const target = this.target(measure.rec, deltas, kind);
    // The streaming window: from the barrier's opening (every stream created and open) to the
    // first stream's last delta, when no run is being created or finished. Its CPU is the cost
    // of deltas alone.
    let windowStart: Snapshot | undefined;
    let windowEnd: Snapshot | undefined;
    const snapshot = (): Snapshot => ({ at: performance.now(), deltas: measure.rec.deltas, cpu: this.cpu() });
    if (kind !== "scripted") void opened.then(() => (windowStart ??= snapshot()));
    measure.rec.onLastDelta = () => {
      if (windowStart) windowEnd ??= snapshot();
    };
    await Promise.all(Array.from({ length: streams }, (_, i) => this.open(kind, agents[i]!, target)));
    const phase = this.report(kind, streams, "concurrent", measure);
    // /proc counts CPU in 10 ms ticks: fewer deltas than this would make the per-delta figure noise.
    if (windowStart && windowEnd && windowEnd.deltas - windowStart.deltas >= 1000) {
      const n = windowEnd.deltas - windowStart.deltas;
      phase.streaming_window = {
        seconds: round((windowEnd.at - windowStart.at) / 1000, 2),
        deltas: n,
        cpu_us_per_delta: Object.fromEntries(
          Object.entries(windowEnd.cpu).map(([k, v]) => [k, round(((v - (windowStart!.cpu[k] ?? 0)) * 1e6) / n, 1)]),
        ),
      };
    }
    return phase;
  }

  /** One single-delta stream per agent, one after another. */
  async sequential(kind: Exclude<Kind, "scripted">, agents: readonly string[]): Promise<Phase> {
    this.wire.beginPhase({ deltas: 1, intervalMs: 1, barrier: 1, barrierTimeoutMs: 1 });
    const measure = this.start();
    for (const agent of agents) await this.open(kind, agent, this.target(measure.rec, 1, kind));
    return this.report(kind, agents.length, "sequential", measure);
  }

  private open(kind: Kind, agentId: string, target: StreamTarget): Promise<void> {
    switch (kind) {
      case "chain":
      case "scripted":
        return chainStream(this.stack, agentId, target);
      case "adapter":
        return adapterStream(this.stack, target);
      case "http":
        return httpStream(this.wire.url, target);
    }
  }

  private target(rec: PhaseRecord, expectedDeltas: number, kind: Kind): StreamTarget {
    const signal = AbortSignal.timeout(this.deadlineMs);
    setMaxListeners(0, signal); // one listener per stream
    return { rec, expectedDeltas, wire: kind === "scripted" ? undefined : this.wire, signal };
  }

  private pids(): Record<string, number> {
    const { services, postgres, nats } = this.stack;
    return {
      agent_loop: services.agentLoop.pid,
      provider_adapter: services.adapter.pid,
      message_store: services.store.pid,
      postgres: postgres.pid ?? 0,
      nats: nats.pid ?? 0,
    };
  }

  private cpu(): Record<string, number> {
    const usage = process.cpuUsage();
    const out: Record<string, number> = { bench: (usage.user + usage.system) / 1e6 };
    for (const [name, pid] of Object.entries(this.pids())) out[name] = pid ? treeCpuSeconds(pid) : 0;
    return out;
  }

  private start() {
    const { agent_loop, provider_adapter, message_store } = this.pids();
    return {
      rec: new PhaseRecord(),
      cpuBefore: this.cpu(),
      rss: sampleRss({ agent_loop: agent_loop!, provider_adapter: provider_adapter!, message_store: message_store! }),
      startedAt: performance.now(),
    };
  }

  private report(kind: Kind, streams: number, mode: Phase["mode"], m: ReturnType<ChainBench["start"]>): Phase {
    const wallMs = performance.now() - m.startedAt;
    const after = this.cpu();
    const cpu = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, round(v - (m.cpuBefore[k] ?? 0), 2)]));
    const rss = Object.fromEntries(Object.entries(m.rss.stop()).map(([k, v]) => [k, round(v, 1)]));
    const { rec } = m;
    const wired = kind !== "scripted";
    const phase: Phase = {
      kind,
      streams,
      mode,
      deltas: rec.deltas,
      errors: rec.errors,
      error_samples: rec.errorSamples,
      wall_s: round(wallMs / 1000, 2),
      deltas_per_s: Math.round(rec.deltas / (wallMs / 1000)),
      ...(wired && rec.latencyMs.length > 0
        ? { delta_latency_p50_ms: round(percentile(rec.latencyMs, 50)), delta_latency_p99_ms: round(percentile(rec.latencyMs, 99)) }
        : {}),
      ttft_p50_ms: round(percentile(rec.ttftMs, 50)),
      ttft_p99_ms: round(percentile(rec.ttftMs, 99)),
      ...(wired
        ? { ttft_overhead_p50_ms: round(percentile(rec.ttftOverheadMs, 50)), ttft_overhead_p99_ms: round(percentile(rec.ttftOverheadMs, 99)) }
        : {}),
      cpu_s: cpu,
      peak_rss_mb: rss,
    };
    process.stderr.write(`${kind} × ${streams} (${mode}): ${JSON.stringify(phase)}\n`);
    return phase;
  }
}

/**
 * The issue's row for one level, with the baselines' numbers and ratios beside it. At one
 * stream, TTFT comes from the sequential runs: one paced stream is a single sample.
 */
function levelRow(streams: number, phases: readonly Phase[], sequential: readonly Phase[]) {
  const of = (kind: Kind) => phases.find((p) => p.kind === kind && p.streams === streams)!;
  const ttftOf = (kind: Kind) => (streams === 1 ? sequential.find((p) => p.kind === kind) : undefined) ?? of(kind);
  const [chain, adapter, http, scripted] = [of("chain"), of("adapter"), of("http"), of("scripted")];
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : round(a / b, 1));
  const baseline = (p: Phase) => ({
    delta_latency_p50_ms: p.delta_latency_p50_ms,
    delta_latency_p99_ms: p.delta_latency_p99_ms,
    ttft_overhead_p50_ms: ttftOf(p.kind).ttft_overhead_p50_ms,
    ttft_overhead_p99_ms: ttftOf(p.kind).ttft_overhead_p99_ms,
    errors: p.errors,
  });
  return {
    streams,
    deltas_per_s: scripted.deltas_per_s,
    delta_latency_p50_ms: chain.delta_latency_p50_ms,
    delta_latency_p99_ms: chain.delta_latency_p99_ms,
    ttft_overhead_p50_ms: ttftOf("chain").ttft_overhead_p50_ms,
    ttft_overhead_p99_ms: ttftOf("chain").ttft_overhead_p99_ms,
    ttft_overhead_runs: ttftOf("chain").streams,
    rss_mb: round(Math.max(chain.peak_rss_mb.agent_loop ?? 0, scripted.peak_rss_mb.agent_loop ?? 0), 1),
    errors: chain.errors + scripted.errors,
    scripted_runs_per_s: round(streams / scripted.wall_s, 1),
    baseline_adapter: baseline(adapter),
    baseline_http: baseline(http),
    latency_p50_vs_adapter: ratio(chain.delta_latency_p50_ms, adapter.delta_latency_p50_ms),
    latency_p50_vs_http: ratio(chain.delta_latency_p50_ms, http.delta_latency_p50_ms),
  };
}
