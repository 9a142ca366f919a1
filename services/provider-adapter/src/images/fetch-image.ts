import { lookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { AddressPolicy } from "./address-policy.js";
import { sniffImageType } from "./sniff-image.js";

export interface ImageFetchLimits {
  policy: AddressPolicy;
  /** Largest image accepted, in bytes. */
  maxBytes: number;
  /** The whole fetch, redirects included. */
  timeoutMs: number;
}

/** An image URL we will not fetch, or whose answer is not an acceptable image. */
export class ImageRefused extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`image URL ${url} refused: ${reason}`);
    this.name = "ImageRefused";
  }
}

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches an image over http(s) for inlining. Every address the host resolves to must be public
 * (checked in the connection's own lookup, so what is checked is what is connected to; IP
 * literals are checked before connecting), on every redirect hop. The answer must be a PNG,
 * JPEG, GIF or WebP within the size cap, within the timeout. A cancel by the caller is rethrown.
 */
export async function fetchImage(url: string, limits: ImageFetchLimits, signal: AbortSignal): Promise<{ mediaType: string; data: Buffer }> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const both = AbortSignal.any([signal, deadline]);
  let target = checkedTarget(url, url, limits.policy);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await get(target, limits.policy, both);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.resume();
        target = checkedTarget(url, new URL(location, target).href, limits.policy);
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw new ImageRefused(url, `the server answered HTTP ${status}`);
      }
      return await readImage(url, response, limits.maxBytes);
    }
    throw new ImageRefused(url, `more than ${MAX_REDIRECTS} redirects`);
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ImageRefused) throw error;
    if (deadline.aborted) throw new ImageRefused(url, `no complete answer within ${limits.timeoutMs} ms`);
    if (error instanceof AddressRefused) throw new ImageRefused(url, error.message);
    throw new ImageRefused(url, `the fetch failed: ${(error as Error).message}`);
  }
}

/** An http(s) URL without credentials whose host, if an IP literal, is permitted. */
function checkedTarget(original: string, href: string, policy: AddressPolicy): URL {
  let target: URL;
  try {
    target = new URL(href);
  } catch {
    throw new ImageRefused(original, "not a valid URL");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new ImageRefused(original, `scheme ${target.protocol} is not allowed (http and https only)`);
  }
  if (target.username || target.password) throw new ImageRefused(original, "URLs with credentials are not allowed");
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0 && !policy.permits(host)) {
    throw new ImageRefused(original, `${host} is a loopback, private or reserved address`);
  }
  return target;
}

class AddressRefused extends Error {}

/** DNS lookup that fails when any address of the host is not permitted. */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 4);
      const refused = addresses.find((a) => !policy.permits(a.address));
      if (refused || addresses.length === 0) {
        const reason = refused ? `${hostname} resolves to ${refused.address}, a loopback, private or reserved address` : `${hostname} has no address`;
        return callback(new AddressRefused(reason) as NodeJS.ErrnoException, "", 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function get(target: URL, policy: AddressPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(target, { lookup: guardedLookup(policy), signal, headers: { accept: "image/*" } }, resolve);
    request.on("error", reject);
  });
}

async function readImage(url: string, response: http.IncomingMessage, maxBytes: number) {
  const declared = response.headers["content-type"] ?? "";
  if (!declared.toLowerCase().startsWith("image/")) {
    response.resume();
    throw new ImageRefused(url, `content type "${declared}" is not an image`);
  }
  const length = Number(response.headers["content-length"]);
  if (Number.isFinite(length) && length > maxBytes) {
    response.destroy();
    throw new ImageRefused(url, `${length} bytes is over the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new ImageRefused(url, `more than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  const data = Buffer.concat(chunks);
  const mediaType = sniffImageType(data);
  if (!mediaType) throw new ImageRefused(url, "the body is not a PNG, JPEG, GIF or WebP image");
  return { mediaType, data };
}
