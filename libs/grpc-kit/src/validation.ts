import type { z } from "zod";
import { invalidArgument } from "./errors.js";

/** Validates a decoded request; the first problem becomes INVALID_ARGUMENT naming its field. */
export function parseRequest<S extends z.ZodType>(schema: S, request: unknown): z.infer<S> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw invalidArgument(fieldPath(issue.path), issue.message);
}

/** `["messages", 0, "toolCalls"]` → `messages[0].tool_calls`: the .proto field names. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += `${out ? "." : ""}${String(part).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
  }
  return out || "request";
}
