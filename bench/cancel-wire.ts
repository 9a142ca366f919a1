// An OpenAI Chat Completions stream server for the cancel benchmark, in the bench process, so
// the time it writes a delta, the time its request's connection closes and the time the
// client sees either are read from one clock. Each request follows the plan set when it
// arrived: a few deltas then silence (a model that stalls), or N deltas paced `intervalMs`
// apart. Every delta's text is its global id ("1234 "), so a client can look up when it was
// written.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export type WirePlan = { kind: "stall"; deltas: number } | { kind: "paced"; deltas: number; intervalMs: number };

/** One request as the server saw it. */
export interface WireRequest {
  readonly arrivedAt: number;
  /** performance.now() of the response's 'close'; undefined while open. */
  closedAt: number | undefined;
  /** True when the server had ended the response before it closed (not the client's doing). */
  finished: boolean;
  readonly closed: Promise<void>;
}

export interface CancelWire {
  /** `http://127.0.0.1:PORT`; the openai SDK's base URL is this plus `/v1`. */
  readonly url: string;
  /** The plan for requests that arrive from now on. */
  plan(next: WirePlan): void;
  /** The next request to arrive. */
  nextRequest(): Promise<WireRequest>;
  /** performance.now() just before delta `id` was handed to the socket. */
  writtenAt(id: number): number;
  close(): Promise<void>;
}

const CHUNK = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench" };
const sse = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;
const FINISH = sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });

/** Parses the id a delta's text carries; NaN for text the wire server did not write. */
export const deltaId = (text: string): number => Number.parseInt(text, 10);

export async function startCancelWire(): Promise<CancelWire> {
  const written: number[] = [];
  const open = new Set<ServerResponse>();
  const waiting: Array<(r: WireRequest) => void> = [];
  let current: WirePlan = { kind: "stall", deltas: 1 };
  let nextId = 0;

  function stream(res: ServerResponse, plan: WirePlan): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const writeDelta = () => {
      const id = nextId++;
      const chunk = sse({ ...CHUNK, choices: [{ index: 0, delta: { content: `${id} ` }, finish_reason: null }] });
      written[id] = performance.now();
      res.write(chunk);
      sent += 1;
    };
    res.once("close", () => clearTimeout(timer));
    if (plan.kind === "stall") {
      for (let i = 0; i < plan.deltas; i++) writeDelta();
      return; // silent until the client goes away
    }
    const next = () => {
      if (res.destroyed) return;
      writeDelta();
      if (sent < plan.deltas) timer = setTimeout(next, plan.intervalMs);
      else {
        const usage = { prompt_tokens: 10, completion_tokens: sent, total_tokens: 10 + sent };
        res.end(`${FINISH}${sse({ ...CHUNK, choices: [], usage })}data: [DONE]\n\n`);
      }
    };
    next();
  }

  const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.now();
    const plan = current;
    // A real server reads the prompt before it answers.
    req.resume();
    req.once("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
        return;
      }
      let markClosed!: () => void;
      const record: WireRequest & { closedAt: number | undefined; finished: boolean } = {
        arrivedAt,
        closedAt: undefined,
        finished: false,
        closed: new Promise<void>((resolve) => (markClosed = resolve)),
      };
      open.add(res);
      res.once("close", () => {
        record.closedAt = performance.now();
        record.finished = res.writableFinished;
        open.delete(res);
        markClosed();
      });
      waiting.shift()?.(record);
      stream(res, plan);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan(next) {
      current = { ...next };
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    writtenAt: (id) => written[id] ?? Number.NaN,
    async close() {
      for (const res of open) res.destroy();
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
