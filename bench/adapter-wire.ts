// A local OpenAI Chat Completions server for the adapter benchmark, run as its own process so
// that reading it directly and reading it through the adapter both cross a process boundary.
// A request for model `bench-<n>` gets a stream of n one-word text chunks, pre-rendered, each
// event written on its own as a provider sends them, as fast as the socket takes them.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHUNK = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench" };
const sse = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;

/** The model name that asks for `deltas` deltas. */
export const benchModel = (deltas: number) => `bench-${deltas}`;

function render(deltas: number): string[] {
  const parts = [sse({ ...CHUNK, choices: [{ index: 0, delta: { role: "assistant", content: "" } }] })];
  for (let i = 0; i < deltas; i++) parts.push(sse({ ...CHUNK, choices: [{ index: 0, delta: { content: `w${i % 1000} ` } }] }));
  parts.push(sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
  parts.push(sse({ ...CHUNK, choices: [], usage: { prompt_tokens: 12, completion_tokens: deltas, total_tokens: 12 + deltas } }));
  parts.push("data: [DONE]\n\n");
  return parts;
}

/** Writes each event on its own, waiting whenever the socket's buffer is full. */
async function writeEvents(res: ServerResponse, events: readonly string[]): Promise<void> {
  for (const event of events) {
    if (res.destroyed) return;
    if (!res.write(event)) await once(res, "drain");
  }
  res.end();
}

async function serve(): Promise<string> {
  const bodies = new Map<number, string[]>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { model } = JSON.parse(Buffer.concat(chunks).toString()) as { model: string };
      const deltas = Number(/^bench-(\d+)$/.exec(model)?.[1] ?? 1);
      let body = bodies.get(deltas);
      if (!body) bodies.set(deltas, (body = render(deltas)));
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      void writeEvents(res, body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

export interface AdapterWire {
  /** The openai SDK's base URL. */
  readonly baseURL: string;
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts the wire server in a child process; resolves with its base URL. */
export async function startAdapterWire(): Promise<AdapterWire> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return {
    baseURL: line,
    pid: child.pid!,
    close: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

// Run as the child process: its first stdout line is the base URL startAdapterWire waits for.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await serve());
}
