// A purpose-built OpenAI Chat Completions stream server for the chain benchmark. It runs in the
// bench process, so the time it writes a delta and the time the client receives it are read
// from one clock. Every delta's text is its global id ("1234 "), which the client parses to
// look up when it was written.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/** How the streams of one phase are paced. */
export interface WirePacing {
  deltas: number;
  /** Between consecutive deltas of one stream. */
  intervalMs: number;
  /**
   * The first delta goes out as soon as a request is read; the rest wait until this many
   * requests of the phase have arrived (or `barrierTimeoutMs` passed), then each stream starts
   * pacing at a random offset within one interval. So the paced deltas all flow while every
   * stream of the phase is open, and not in lockstep.
   */
  barrier: number;
  barrierTimeoutMs: number;
}

export interface WireServer {
  /** `http://127.0.0.1:PORT`; the openai SDK's base URL is this plus `/v1`. */
  readonly url: string;
  /** Starts a phase: pacing for the requests that arrive from now on. Resolves when its barrier opens. */
  beginPhase(pacing: WirePacing): Promise<void>;
  /** performance.now() just before delta `id` was handed to the socket. */
  writtenAt(id: number): number;
  /** For the stream that wrote delta `id`: its request's arrival to its first delta written, in ms. */
  providerTtftMs(id: number): number;
  close(): Promise<void>;
}

const CHUNK = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench" };
const sse = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;
const FINISH = sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });

/** Parses the id a delta's text carries; NaN for text the wire server did not write. */
export const deltaId = (text: string): number => Number.parseInt(text, 10);

/** Releases waiters once `size` have arrived or the timeout passed. */
class Barrier {
  private arrived = 0;
  private readonly waiters: Array<() => void> = [];
  private open = false;
  private readonly timer: NodeJS.Timeout;
  private markOpened = () => {};
  /** Resolves when the barrier opens. */
  readonly opened = new Promise<void>((resolve) => {
    this.markOpened = resolve;
  });

  constructor(
    private readonly size: number,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.release(), timeoutMs);
    this.timer.unref();
  }

  arrive(then: () => void): void {
    if (this.open) return then();
    this.waiters.push(then);
    if (++this.arrived >= this.size) this.release();
  }

  release(): void {
    if (this.open) return;
    this.open = true;
    clearTimeout(this.timer);
    this.markOpened();
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export async function startWireServer(): Promise<WireServer> {
  const written: number[] = [];
  const requestOf: number[] = [];
  const arrivedAt: number[] = [];
  const firstAt: number[] = [];
  const open = new Set<ServerResponse>();
  let nextId = 0;
  let pacing: WirePacing = { deltas: 1, intervalMs: 1, barrier: 1, barrierTimeoutMs: 1 };
  let barrier = new Barrier(1, 1);

  function stream(res: ServerResponse, request: number, phase: WirePacing, gate: Barrier): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    open.add(res);
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    res.once("close", () => {
      clearTimeout(timer);
      open.delete(res);
    });
    const writeNext = () => {
      if (res.destroyed) return;
      const id = nextId++;
      const chunk = sse({ ...CHUNK, choices: [{ index: 0, delta: { content: `${id} ` }, finish_reason: null }] });
      const now = performance.now();
      written[id] = now;
      requestOf[id] = request;
      if (sent === 0) firstAt[request] = now;
      res.write(chunk);
      sent += 1;
      if (sent === 1 && sent < phase.deltas) {
        gate.arrive(() => {
          timer = setTimeout(writeNext, Math.random() * phase.intervalMs);
        });
      } else if (sent < phase.deltas) timer = setTimeout(writeNext, phase.intervalMs);
      else {
        const usage = { prompt_tokens: 10, completion_tokens: sent, total_tokens: 10 + sent };
        res.end(`${FINISH}${sse({ ...CHUNK, choices: [], usage })}data: [DONE]\n\n`);
      }
    };
    writeNext();
  }

  const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now();
    const phase = pacing;
    const gate = barrier;
    // The SDK sends the whole body; a real server reads the prompt before it answers.
    req.resume();
    req.once("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
        return;
      }
      const request = arrivedAt.push(arrived) - 1;
      stream(res, request, phase, gate);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    beginPhase(next) {
      barrier.release();
      pacing = { ...next };
      barrier = new Barrier(next.barrier, next.barrierTimeoutMs);
      return barrier.opened;
    },
    writtenAt: (id) => written[id] ?? Number.NaN,
    providerTtftMs(id) {
      const request = requestOf[id];
      return request === undefined ? Number.NaN : firstAt[request]! - arrivedAt[request]!;
    },
    async close() {
      barrier.release();
      for (const res of open) res.destroy();
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
