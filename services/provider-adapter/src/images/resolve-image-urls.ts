import { ServiceError, Status } from "@conduit/grpc-kit";
import type { ContentPart, Message } from "@conduit/proto/agent/v1";
import { fetchImage, ImageRefused, type ImageFetchLimits } from "./fetch-image.js";

/** Distinct image URLs fetched at once for one request. */
const PARALLEL_FETCHES = 4;

interface UrlImage {
  url: string;
  /** Proto field path, for the error. */
  field: string;
}

/**
 * The messages with every image URL (in content and in tool returns) replaced by the fetched
 * bytes, so providers only ever see inline images. Each distinct URL is fetched once. A refused
 * URL fails the request with INVALID_ARGUMENT / IMAGE_URL_REFUSED naming it.
 */
export async function resolveImageUrls(messages: Message[], limits: ImageFetchLimits, signal: AbortSignal): Promise<Message[]> {
  const found = urlImages(messages);
  if (found.length === 0) return messages;
  const byUrl = new Map<string, UrlImage>();
  for (const image of found) if (!byUrl.has(image.url)) byUrl.set(image.url, image);
  const fetched = new Map<string, { mediaType: string; data: Buffer }>();
  const queue = [...byUrl.values()];
  // The first refusal stops the other fetches.
  const stop = new AbortController();
  const fetchSignal = AbortSignal.any([signal, stop.signal]);
  const worker = async () => {
    for (let next = queue.shift(); next && !stop.signal.aborted; next = queue.shift()) {
      try {
        fetched.set(next.url, await fetchImage(next.url, limits, fetchSignal));
      } catch (error) {
        stop.abort();
        if (error instanceof ImageRefused) throw refusal(error, next.field);
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, queue.length) }, worker));
  const inline = (parts: ContentPart[]): ContentPart[] =>
    parts.map((p) => {
      if (p.part?.$case !== "image" || p.part.value.source?.$case !== "url") return p;
      const image = fetched.get(p.part.value.source.value)!;
      return { part: { $case: "image", value: { source: { $case: "base64", value: { mediaType: image.mediaType, data: image.data } } } } };
    });
  return messages.map((m) => ({
    ...m,
    content: inline(m.content),
    toolReturns: m.toolReturns.map((r) => ({ ...r, parts: inline(r.parts) })),
  }));
}

function urlImages(messages: Message[]): UrlImage[] {
  const out: UrlImage[] = [];
  const scan = (parts: ContentPart[], path: string) =>
    parts.forEach((p, i) => {
      if (p.part?.$case === "image" && p.part.value.source?.$case === "url") {
        out.push({ url: p.part.value.source.value, field: `${path}[${i}].image.url` });
      }
    });
  messages.forEach((m, i) => {
    scan(m.content, `messages[${i}].content`);
    m.toolReturns.forEach((r, j) => scan(r.parts, `messages[${i}].tool_returns[${j}].parts`));
  });
  return out;
}

function refusal(error: ImageRefused, field: string): ServiceError {
  return new ServiceError(Status.INVALID_ARGUMENT, "IMAGE_URL_REFUSED", `${field}: ${error.message}`, {
    metadata: { url: error.url, field },
  });
}
