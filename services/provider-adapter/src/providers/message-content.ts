import type { ContentPart, Message } from "@conduit/proto/agent/v1";
import { parseModelHandle } from "../core/model-provider.js";

/** The text parts of a message, joined; images and reasoning dropped. */
export function textOf(parts: readonly ContentPart[]): string {
  return parts
    .flatMap(({ part }) => (part?.$case === "text" ? [part.value.text] : []))
    .join("\n");
}

/** The provider that produced a message (from its `model` handle); unset when it names none. */
export function producerOf(message: Message): string | undefined {
  return message.model === undefined || message.model === "" ? undefined : parseModelHandle(message.model)?.provider;
}

/**
 * The arguments of a call as an object: `{}` when they are empty, invalid JSON or not an object,
 * since the APIs that take them parsed take only an object.
 */
export function argumentsObjectOf(argumentsJson: string): Record<string, unknown> {
  if (argumentsJson.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
