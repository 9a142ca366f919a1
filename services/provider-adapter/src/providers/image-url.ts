import type { ImageContent } from "@conduit/proto/agent/v1";

/** An image as the OpenAI APIs take it: its URL, or a `data:` URL of its inline bytes. */
export function imageUrlOf(image: ImageContent): string | undefined {
  const source = image.source;
  if (source?.$case === "url") return source.value;
  if (source?.$case === "base64") return `data:${source.value.mediaType};base64,${Buffer.from(source.value.data).toString("base64")}`;
  return undefined;
}
