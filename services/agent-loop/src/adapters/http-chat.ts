import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { ServiceError, Status } from "@conduit/grpc-kit";
import type { Logger } from "@conduit/logging";
import { activeStreams } from "@conduit/metrics";
import type { ChatCompletionChunk, ChatCompletionsRequest } from "@conduit/proto/agent/v1";
import { chatCompletion } from "../runs/chat-completion.js";
import type { RunHost } from "../runs/run-host.js";
import type { CallerAuth } from "./caller-auth.js";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const part = z.looseObject({ type: z.string(), text: z.string().optional(), image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional() });
const body = z.looseObject({
  model: z.string({ error: "model: expected the agent id" }),
  messages: z.array(
    z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(part), z.null()]).optional(), name: z.string().optional() }),
    { error: "messages: expected an array of messages" },
  ),
  stream: z.boolean().optional(),
  user: z.string().optional(),
});

/**
 * `POST /v1/chat/completions` in OpenAI's shape (SSE when `stream` is true, one JSON object
 * otherwise), authenticated with the same API keys, so OpenAI's SDKs work against an agent.
 */
export class ChatHttpServer {
  private readonly server: Server;

  constructor(private readonly deps: { auth: CallerAuth; runs: RunHost; log: Logger }) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const { address, port: bound } = this.server.address() as AddressInfo;
        resolve(`${address}:${bound}`);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    try {
      if (req.method !== "POST" || req.url?.split("?")[0] !== "/v1/chat/completions") {
        return sendError(res, 404, "not_found", `no route ${req.method} ${req.url}; this server answers POST /v1/chat/completions`);
      }
      const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (!key) return sendError(res, 401, "invalid_api_key", "missing `Authorization: Bearer <api key>`");
      const organizationId = await this.deps.auth.organizationOfKey(key, gone.signal);
      const request = toRequest(await readJson(req));
      const chunks = chatCompletion(this.deps.runs, organizationId, request, gone.signal);
      activeStreams.inc();
      try {
        if (request.stream) await streamChunks(res, chunks);
        else await sendWhole(res, chunks);
      } finally {
        activeStreams.dec();
      }
    } catch (err) {
      if (gone.signal.aborted) return;
      if (res.headersSent) {
        res.end(`data: ${JSON.stringify({ error: errorBody(err) })}\n\n`);
        return;
      }
      if (!(err instanceof ServiceError)) this.deps.log.error({ err }, "chat completion failed");
      sendError(res, httpStatusOf(err), errorBody(err).code, errorBody(err).message);
    }
  }
}

async function streamChunks(res: ServerResponse, chunks: AsyncIterable<ChatCompletionChunk>): Promise<void> {
  let started = false;
  for await (const chunk of chunks) {
    if (!started) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      started = true;
    }
    res.write(`data: ${JSON.stringify(openaiChunk(chunk))}\n\n`);
  }
  res.end("data: [DONE]\n\n");
}

async function sendWhole(res: ServerResponse, chunks: AsyncIterable<ChatCompletionChunk>): Promise<void> {
  let first: ChatCompletionChunk | undefined;
  const content: string[] = [];
  for await (const chunk of chunks) {
    first ??= chunk;
    content.push(chunk.choices[0]?.delta?.content ?? "");
  }
  const completion = {
    id: first?.id,
    object: "chat.completion",
    created: Number(first?.created ?? 0),
    model: first?.model,
    choices: [{ index: 0, message: { role: "assistant", content: content.join(""), refusal: null }, finish_reason: "stop", logprobs: null }],
  };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(completion));
}

const openaiChunk = (c: ChatCompletionChunk) => ({
  id: c.id,
  object: c.object,
  created: Number(c.created),
  model: c.model,
  choices: c.choices.map((ch) => ({
    index: ch.index,
    delta: { ...(ch.delta?.role ? { role: ch.delta.role } : {}), ...(ch.delta?.content !== undefined ? { content: ch.delta.content } : {}) },
    finish_reason: ch.finishReason ?? null,
    logprobs: null,
  })),
});

function toRequest(raw: unknown): ChatCompletionsRequest {
  const parsed = body.safeParse(raw);
  if (!parsed.success) throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", parsed.error.issues[0]?.message ?? "invalid request body");
  const b = parsed.data;
  return {
    model: b.model,
    stream: b.stream ?? false,
    user: b.user,
    messages: b.messages.map((m) => ({
      role: m.role,
      content: typeof m.content === "string" ? m.content : undefined,
      contentParts: Array.isArray(m.content)
        ? m.content.map((p) => ({ type: p.type, text: p.text, imageUrl: typeof p.image_url === "string" ? p.image_url : p.image_url?.url }))
        : [],
      name: m.name,
    })),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", "the request body is not JSON");
  }
}

const HTTP_STATUS: Partial<Record<Status, number>> = {
  [Status.INVALID_ARGUMENT]: 400,
  [Status.UNAUTHENTICATED]: 401,
  [Status.PERMISSION_DENIED]: 403,
  [Status.NOT_FOUND]: 404,
  [Status.FAILED_PRECONDITION]: 409,
  [Status.RESOURCE_EXHAUSTED]: 429,
  [Status.CANCELLED]: 499,
  [Status.UNAVAILABLE]: 503,
  [Status.DEADLINE_EXCEEDED]: 504,
};

const httpStatusOf = (err: unknown) => (err instanceof ServiceError ? (HTTP_STATUS[err.code] ?? 500) : 500);

function errorBody(err: unknown): { message: string; type: string; code: string } {
  if (err instanceof ServiceError) return { message: err.message, type: err.code === Status.INVALID_ARGUMENT ? "invalid_request_error" : "api_error", code: err.reason.toLowerCase() };
  return { message: "internal error", type: "api_error", code: "internal" };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type: status === 400 ? "invalid_request_error" : "api_error", code } }));
}
