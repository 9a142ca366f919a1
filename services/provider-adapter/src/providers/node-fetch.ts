import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";

/**
 * The `fetch` the provider SDKs are given: the same contract over node:http with keep-alive
 * agents. Node's built-in fetch (undici) costs several times as much CPU per request, which
 * every completion's time to first token pays.
 *
 * Responses are asked for uncompressed (`accept-encoding: identity`), so they need no
 * decoding; an aborted request destroys its socket, so the provider sees the connection close.
 */
export function createNodeFetch(): typeof fetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }),
    "https:": new https.Agent({ keepAlive: true, scheduling: "lifo" }),
  };
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const agent = url.protocol === "http:" || url.protocol === "https:" ? agents[url.protocol] : undefined;
      if (!agent) return reject(new TypeError(`fetch: unsupported protocol ${url.protocol}`));
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = { ...headerRecord(init.headers), "accept-encoding": "identity" };
      const body = bodyBytes(init.body);
      if (body !== undefined) headers["content-length"] = String(body.byteLength);
      const request = (url.protocol === "https:" ? https : http).request(url, { method: init.method ?? "GET", headers, agent });
      const onAbort = () => request.destroy(signal!.reason instanceof Error ? signal!.reason : abortError());
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      request.once("error", (error) => {
        done();
        reject(error);
      });
      request.once("response", (res) => {
        res.once("close", done);
        const status = res.statusCode ?? 0;
        const noBody = init.method === "HEAD" || status === 204 || status === 304;
        if (noBody) res.resume();
        resolve(
          new Response(noBody ? null : webBody(res), {
            status,
            statusText: res.statusMessage ?? "",
            headers: responseHeaders(res.rawHeaders),
          }),
        );
      });
      request.end(body);
    });
}

/**
 * The response body as a web stream, chunks passed on as they arrive (Readable.toWeb costs
 * several times as much per chunk). The socket is paused while the reader is behind.
 */
function webBody(res: IncomingMessage): ReadableStream<Uint8Array> {
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        res.on("data", (chunk: Buffer) => {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) res.pause();
        });
        res.once("end", () => {
          if (!ended) controller.close();
          ended = true;
        });
        // A connection cut mid-body: node:http reports it as an error ("aborted").
        res.once("error", (error) => {
          if (!ended) controller.error(error);
          ended = true;
        });
      },
      pull() {
        res.resume();
      },
      cancel(reason) {
        ended = true;
        res.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 64 },
  );
}

function headerRecord(init: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, key) => (out[key] = value));
  return out;
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** The SDKs send JSON strings (and, for uploads, bytes); a stream body is not used by any of them. */
function bodyBytes(body: RequestInit["body"]): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("fetch: only string and byte bodies are supported");
}

function abortError(): Error {
  return new DOMException("This operation was aborted", "AbortError");
}
