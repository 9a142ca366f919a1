// Adapter benchmark: the same local OpenAI Chat stream (from a wire server in its own process)
// read directly with the openai SDK (baseline) and through provider-adapter's StreamCompletion
// over gRPC, in one run, alternating. Throughput: provider deltas delivered per second over long
// streams. TTFT: request start to the first text delta of a one-delta stream, sequentially; the
// overhead is the adapter's percentile minus the direct one's. Flags: --deltas (per long
// stream), --rounds, --ttft-samples, --profile DIR.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { credentials, Metadata } from "@grpc/grpc-js";
import OpenAI from "openai";
import { MessageRole } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceClient, StreamCompletionRequest, type CompletionEvent } from "@conduit/proto/provider/v1";
import { startService } from "@conduit/testing";
import { benchModel, startAdapterWire } from "./adapter-wire.js";
import { cpuSeconds, numberFlag, percentile, round, writeResult } from "./support.js";

type Client = InstanceType<typeof ProviderAdapterServiceClient>;

const requestFor = (deltas: number) =>
  StreamCompletionRequest.fromPartial({
    model: `openai/${benchModel(deltas)}`,
    messages: [{ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "Stream the benchmark answer." } } }] }],
  });

/** Reads one stream of `n` deltas with the SDK; returns text deltas and the ms to the first. */
async function direct(sdk: OpenAI, n: number): Promise<{ deltas: number; ttftMs: number }> {
  const start = performance.now();
  let ttftMs = Number.NaN;
  let deltas = 0;
  const stream = await sdk.chat.completions.create({
    model: benchModel(n),
    messages: [{ role: "user", content: "Stream the benchmark answer." }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content) {
      if (deltas++ === 0) ttftMs = performance.now() - start;
    }
  }
  return { deltas, ttftMs };
}

/** Provider deltas carried by a text: each is one word and its space ("w12 "). */
const wordsIn = (text: string) => {
  let n = 0;
  for (let i = text.indexOf(" "); i !== -1; i = text.indexOf(" ", i + 1)) n++;
  return n;
};

/**
 * Reads one stream through the adapter; returns the provider deltas delivered (the adapter
 * sends deltas that arrive together as one event), the events, and the ms to the first delta.
 */
function viaAdapter(client: Client, metadata: Metadata, n: number): Promise<{ deltas: number; events: number; ttftMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttftMs = Number.NaN;
    let deltas = 0;
    let events = 0;
    let finished = false;
    const call = client.streamCompletion(requestFor(n), metadata);
    call.on("data", (event: CompletionEvent) => {
      const e = event.event;
      if (e?.$case === "textDelta" && e.value.text) {
        if (deltas === 0) ttftMs = performance.now() - start;
        deltas += wordsIn(e.value.text);
        events++;
      } else if (e?.$case === "finish") finished = true;
    });
    call.on("error", reject);
    call.on("end", () => (finished ? resolve({ deltas, events, ttftMs }) : reject(new Error("stream ended without finish"))));
  });
}

export async function run(args: string[]): Promise<void> {
  const deltasPerStream = numberFlag(args, "--deltas", 20_000);
  const rounds = numberFlag(args, "--rounds", 9);
  const ttftSamples = numberFlag(args, "--ttft-samples", 1000);
  // Unmeasured one-delta calls on both paths first: a request's set-up code (request
  // conversion, the SDK's request building, fetch) is only optimized by V8 after many calls.
  const ttftWarmup = numberFlag(args, "--ttft-warmup", 5000);
  // `--profile DIR`: the adapter writes a V8 CPU profile there when it stops.
  const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined;
  const internalKey = randomBytes(24).toString("hex");
  const wire = await startAdapterWire();
  const adapter = await startService(
    "provider-adapter",
    {
    CONDUIT_PORT: "0",
    CONDUIT_INTERNAL_KEY: internalKey,
    OPENAI_API_KEY: "sk-bench-0123456789abcdef",
    OPENAI_BASE_URL: wire.baseURL,
    CONDUIT_RETRY_MAX_ATTEMPTS: "1",
    },
    { nodeArgs: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [] },
  );
  const client = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${internalKey}`);
  const sdk = new OpenAI({ apiKey: "sk-bench-0123456789abcdef", baseURL: wire.baseURL, maxRetries: 0 });
  try {
    // Warm-up: JIT, connections, the channel.
    for (let i = 0; i < 3; i++) {
      await direct(sdk, 2000);
      await viaAdapter(client, metadata, 2000);
    }

    const directRates: number[] = [];
    const adapterRates: number[] = [];
    const adapterCpuPerDeltaUs: number[] = [];
    const deltasPerEvent: number[] = [];
    const directCpuPerDeltaUs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      const own = process.cpuUsage();
      const d = await direct(sdk, deltasPerStream);
      directRates.push(d.deltas / ((performance.now() - t) / 1000));
      const used = process.cpuUsage(own);
      directCpuPerDeltaUs.push((used.user + used.system) / d.deltas);
      const cpu = cpuSeconds(adapter.pid);
      t = performance.now();
      const a = await viaAdapter(client, metadata, deltasPerStream);
      adapterRates.push(a.deltas / ((performance.now() - t) / 1000));
      adapterCpuPerDeltaUs.push(((cpuSeconds(adapter.pid) - cpu) * 1e6) / a.deltas);
      deltasPerEvent.push(a.deltas / a.events);
      if (d.deltas !== deltasPerStream || a.deltas !== deltasPerStream) {
        throw new Error(`expected ${deltasPerStream} deltas, read ${d.deltas} directly and ${a.deltas} through the adapter`);
      }
    }

    const listModels = () =>
      new Promise<void>((resolve, reject) => client.listModels({}, metadata, (error) => (error ? reject(error) : resolve())));
    for (let i = 0; i < ttftWarmup; i++) {
      await direct(sdk, 1);
      await viaAdapter(client, metadata, 1);
      await listModels();
    }
    const directTtft: number[] = [];
    const adapterTtft: number[] = [];
    for (let i = 0; i < ttftSamples; i++) {
      directTtft.push((await direct(sdk, 1)).ttftMs);
      adapterTtft.push((await viaAdapter(client, metadata, 1)).ttftMs);
    }

    // The floor of the TTFT overhead: one gRPC round trip to the adapter, doing nothing else.
    const rtt: number[] = [];
    for (let i = 0; i < ttftSamples; i++) {
      const t = performance.now();
      await listModels();
      rtt.push(performance.now() - t);
    }

    const median = (xs: number[]) => percentile(xs, 50);
    const directRate = median(directRates);
    const adapterRate = median(adapterRates);
    writeResult("adapter", {
      deltas_per_s_direct: Math.round(directRate),
      deltas_per_s_adapter: Math.round(adapterRate),
      ratio: round(adapterRate / directRate),
      ttft_overhead_p50_ms: round(percentile(adapterTtft, 50) - percentile(directTtft, 50)),
      ttft_overhead_p99_ms: round(percentile(adapterTtft, 99) - percentile(directTtft, 99)),
      ttft_direct_p50_ms: round(percentile(directTtft, 50)),
      ttft_direct_p99_ms: round(percentile(directTtft, 99)),
      ttft_adapter_p50_ms: round(percentile(adapterTtft, 50)),
      ttft_adapter_p99_ms: round(percentile(adapterTtft, 99)),
      grpc_unary_rtt_p50_ms: round(percentile(rtt, 50)),
      direct_cpu_us_per_delta: round(median(directCpuPerDeltaUs), 1),
      adapter_cpu_us_per_delta: round(median(adapterCpuPerDeltaUs), 1),
      adapter_deltas_per_event: round(median(deltasPerEvent), 2),
      deltas_per_stream: deltasPerStream,
      rounds,
      ttft_samples: ttftSamples,
      ttft_warmup: ttftWarmup,
      targets: { ratio_min: 0.8, ttft_overhead_p50_ms_max: 1 },
    });
  } finally {
    client.close();
    await adapter.stop();
    await wire.close();
  }
}
