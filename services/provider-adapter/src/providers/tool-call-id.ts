import { createHash } from "node:crypto";

/**
 * A tool-call id as providers accept it: only `[a-zA-Z0-9_-]`, at most `maxLength` characters
 * (OpenAI Chat Completions refuses ids over 40). Ids come from any provider or client, so they
 * are rewritten the same way in a call and in its return; an id that must be shortened keeps
 * its start and gets a hash of the whole, so distinct ids stay distinct.
 */
export function sanitizeToolCallId(id: string, maxLength: number): string {
  const clean = id === "" ? "call" : id.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (clean.length <= maxLength) return clean;
  const hash = createHash("sha256").update(id).digest("base64url").replace(/[^a-zA-Z0-9]/g, "").slice(0, 12);
  return `${clean.slice(0, maxLength - hash.length - 1)}_${hash}`;
}
