// A bare grpc-js echo server in its own process, and the client that times it: what one gRPC
// round trip costs on this machine before any service does any work. The chain's TTFT path has
// three such hops (client → agent-loop, agent-loop → message-store, agent-loop → provider-adapter).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { percentile, round } from "./support.js";

const bytes = (b: Buffer) => b;
const ECHO = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
} satisfies grpc.ServiceDefinition;
const OPTIONS = { "grpc.enable_channelz": 0 };

export interface RoundTrips {
  /** Calls one right after another: both processes stay awake. */
  back_to_back_p50_ms: number;
  back_to_back_p99_ms: number;
  /** Each call after 10 ms of silence: both processes wake from idle, as a run's first hops do. */
  after_idle_p50_ms: number;
  after_idle_p99_ms: number;
}

/** Times `calls` echo round trips of a 2 KB message each way, back to back and after idle. */
export async function measureRoundTrips(calls: number): Promise<RoundTrips> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const Client = grpc.makeGenericClientConstructor(ECHO, "Echo");
    const client = new Client(`127.0.0.1:${line.toString().trim()}`, grpc.credentials.createInsecure(), OPTIONS);
    const call = (body: Buffer) =>
      new Promise<void>((resolve, reject) => (client as unknown as Record<"echo", (b: Buffer, cb: (err: unknown) => void) => void>).echo(body, (err) => (err ? reject(err) : resolve())));
    const body = Buffer.alloc(2048, 1);
    const time = async (idleMs: number) => {
      const ms: number[] = [];
      for (let i = 0; i < calls; i++) {
        if (idleMs) await new Promise((resolve) => setTimeout(resolve, idleMs));
        const start = performance.now();
        await call(body);
        ms.push(performance.now() - start);
      }
      return ms;
    };
    await time(0); // warm-up
    const hot = await time(0);
    const idle = await time(10);
    client.close();
    return {
      back_to_back_p50_ms: round(percentile(hot, 50)),
      back_to_back_p99_ms: round(percentile(hot, 99)),
      after_idle_p50_ms: round(percentile(idle, 50)),
      after_idle_p99_ms: round(percentile(idle, 99)),
    };
  } finally {
    child.kill();
  }
}

if (process.argv[2] === "serve") {
  const server = new grpc.Server(OPTIONS);
  server.addService(ECHO, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, call.request) });
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${port}\n`);
  });
}
