import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "cdk_";

/** A new API key: 256 random bits, recognisable by its prefix. */
export function newApiKey(): { plaintext: string; hash: string; prefix: string } {
  const plaintext = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { plaintext, hash: hashKey(plaintext), prefix: plaintext.slice(0, KEY_PREFIX.length + 6) };
}

/** Keys are random 256-bit secrets, so a plain SHA-256 is as strong as a slow hash here. */
export function hashKey(plaintext: string): string {
  return createHash("sha256").update(plaintext).digest("hex");
}
