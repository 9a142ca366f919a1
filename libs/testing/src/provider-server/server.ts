import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { fixtureChunks } from "./fixtures.js";
import type { ProviderReply } from "./replies.js";
import { sendJson, writeReply, type ServedReply } from "./reply-writer.js";
import { RequestLog, type MutableRecordedRequest, type RecordedRequest } from "./request-log.js";
import { routeOf, type ProviderRoute } from "./routes.js";

/** A local HTTP server speaking the providers' wire protocols, reached by the official SDKs via `baseURL`. */
export interface ProviderServer {
  /** `http://127.0.0.1:PORT`; the SDKs add their own paths (openai's baseURL takes `/v1`). */
  readonly url: string;
  /** Queues what the next request to `route` answers (FIFO per route). A request with nothing queued gets a 500. */
  enqueue(route: ProviderRoute, reply: ProviderReply): void;
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /**
   * The `n`-th request to `route` (1-based, counting from server start), or without `n` the one
   * after the request the previous call for this route gave; resolves as soon as it has arrived.
   */
  nextRequest(route: ProviderRoute, n?: number): Promise<RecordedRequest>;
  /** performance.now() at which the request's reply ended or its connection closed (see `closedBy`). */
  closed(request: RecordedRequest): Promise<number>;
  /** Ends open streams, then closes every connection and the server. */
  close(): Promise<void>;
}

/** A response still being written, which close() must end. */
interface OpenReply {
  readonly res: ServerResponse;
  readonly controller: AbortController;
  endedByServer: boolean;
}

export async function startProviderServer(): Promise<ProviderServer> {
  const queues = new Map<ProviderRoute, ServedReply[]>();
  const log = new RequestLog();
  const open = new Set<OpenReply>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://provider-server");
    const route = routeOf(req.method ?? "", url.pathname);
    const request: MutableRecordedRequest = {
      route,
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: lowerCasedHeaders(req),
      body: undefined,
      receivedAt: performance.now(),
      closedAt: undefined,
      closedBy: undefined,
    };
    const reply: OpenReply = { res, controller: new AbortController(), endedByServer: false };
    open.add(reply);
    res.on("close", () => {
      open.delete(reply);
      reply.controller.abort();
      log.markClosed(request, performance.now(), reply.endedByServer || res.writableFinished ? "server" : "client");
    });

    request.body = parseBody(await readBody(req));
    log.add(request);
    if (reply.controller.signal.aborted) return;
    if (route === undefined) {
      sendJson(res, 404, failure("not_found", `the provider server has no route for ${req.method} ${url.pathname}`));
      return;
    }
    const queued = queues.get(route)?.shift();
    if (!queued) {
      const message = `nothing queued for ${route}: enqueue a reply before ${req.method} ${url.pathname}`;
      sendJson(res, 500, failure("nothing_queued", message));
      return;
    }
    await writeReply(route, queued, {
      res,
      signal: reply.controller.signal,
      drop() {
        reply.endedByServer = true;
        const socket = res.socket;
        socket?.end(() => socket.destroy());
      },
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A body cut off by the client needs no answer; anything else is a bug in this server.
      if (res.headersSent || req.destroyed) res.destroy();
      else sendJson(res, 500, failure("provider_server_bug", String(error)));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: log.all,
    enqueue(route, reply) {
      const served: ServedReply =
        reply.kind === "fixture"
          ? { kind: "stream", chunks: fixtureChunks(route, reply.file), delayMs: reply.delayMs, then: reply.then }
          : reply;
      const queue = queues.get(route) ?? [];
      queue.push(served);
      queues.set(route, queue);
    },
    nextRequest(route, n) {
      return n === undefined ? log.next(route) : log.nth(route, n - 1);
    },
    closed: (request) => log.closed(request),
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    log.stop(new Error("the provider server closed"));
    const repliesClosed = [...open].map((reply) => once(reply.res, "close"));
    for (const reply of open) {
      reply.endedByServer = true;
      reply.controller.abort();
      if (!reply.res.headersSent) reply.res.destroy();
      else if (!reply.res.writableEnded) reply.res.end();
    }
    await Promise.all(repliesClosed);
    const stopped = once(server, "close");
    server.close();
    // Keep-alive connections stay open after their replies; close() would otherwise wait for them.
    server.closeAllConnections();
    await stopped;
  }
}

function failure(type: string, message: string) {
  return { error: { type, message } };
}

function lowerCasedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
