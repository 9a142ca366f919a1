import type { Metadata } from "@grpc/grpc-js";
import { createHash, timingSafeEqual } from "node:crypto";

/** The credential of `authorization: Bearer <credential>` metadata, if any. */
export function bearerToken(metadata: Metadata): string | undefined {
  const header = metadata.get("authorization")[0];
  if (typeof header !== "string") return undefined;
  return /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
}

/** Constant-time comparison of a presented secret with a configured one. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
