import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceError, Status } from "@conduit/grpc-kit";
import { Message, MessageRole, type ContentPart } from "@conduit/proto/agent/v1";
import { AddressPolicy, isCidr } from "../src/images/address-policy.js";
import { fetchImage, ImageRefused, type ImageFetchLimits } from "../src/images/fetch-image.js";
import { resolveImageUrls } from "../src/images/resolve-image-urls.js";

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(56, 7)]);

describe("AddressPolicy", () => {
  const policy = new AddressPolicy();

  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "not-an-address",
  ])("refuses %s", (address) => {
    expect(policy.permits(address)).toBe(false);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("permits the public address %s", (address) => {
    expect(policy.permits(address)).toBe(true);
  });

  it("permits private addresses a deployment allows, and only those", () => {
    const allowing = new AddressPolicy(["10.1.0.0/16", "127.0.0.1"]);
    expect(allowing.permits("10.1.2.3")).toBe(true);
    expect(allowing.permits("10.2.0.1")).toBe(false);
    expect(allowing.permits("127.0.0.1")).toBe(true);
    expect(allowing.permits("127.0.0.2")).toBe(false);
  });

  it("recognises what the allow list takes", () => {
    expect(["10.0.0.0/8", "127.0.0.1", "fd00::/8", "::1"].every(isCidr)).toBe(true);
    expect(["10.0.0.0/33", "example.com", "10.0.0.0/8/1", "", "fd00::/129", "10.0.0.0/x"].some(isCidr)).toBe(false);
  });
});

/** A local image server; what each path answers is set per test. */
let server: Server;
let base: string;
const routes = new Map<string, (res: import("node:http").ServerResponse) => void>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? "");
    if (route) route(res);
    else res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set("/cat.png", (res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG));
  routes.set("/page.html", (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html></html>"));
  routes.set("/fake.png", (res) => res.writeHead(200, { "content-type": "image/png" }).end("<html></html>"));
  routes.set("/big.png", (res) => {
    const body = Buffer.concat([PNG, Buffer.alloc(4096)]);
    res.writeHead(200, { "content-type": "image/png", "content-length": body.length }).end(body);
  });
  routes.set("/big-chunked.png", (res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write(PNG);
    res.end(Buffer.alloc(4096));
  });
  routes.set("/silent.png", () => {
    // Never answers: the fetch must give up on its own.
  });
  routes.set("/to-private", (res) => res.writeHead(302, { location: "http://10.1.2.3/cat.png" }).end());
  routes.set("/to-cat", (res) => res.writeHead(301, { location: "/cat.png" }).end());
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

const trusted: ImageFetchLimits = { policy: new AddressPolicy(["127.0.0.1"]), maxBytes: 1024, timeoutMs: 2000 };
const strict: ImageFetchLimits = { ...trusted, policy: new AddressPolicy() };
const signal = () => new AbortController().signal;

async function refusal(url: string, limits: ImageFetchLimits): Promise<string> {
  const error = await fetchImage(url, limits, signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageRefused);
  return (error as ImageRefused).message;
}

describe("fetchImage", () => {
  it("fetches an image and names its type from its bytes", async () => {
    const image = await fetchImage(`${base}/cat.png`, trusted, signal());
    expect(image.mediaType).toBe("image/png");
    expect(Buffer.compare(image.data, PNG)).toBe(0);
  });

  it("follows a redirect to an image", async () => {
    const image = await fetchImage(`${base}/to-cat`, trusted, signal());
    expect(image.mediaType).toBe("image/png");
  });

  it("refuses loopback targets, by IP literal and by a name that resolves to one", async () => {
    const port = new URL(base).port;
    expect(await refusal(`${base}/cat.png`, strict)).toContain("127.0.0.1 is a loopback, private or reserved address");
    expect(await refusal(`http://[::1]:${port}/cat.png`, strict)).toContain("::1 is a loopback");
    expect(await refusal(`http://localhost:${port}/cat.png`, strict)).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback/);
  });

  it("refuses private and link-local targets without connecting", async () => {
    expect(await refusal("http://10.0.0.1/cat.png", strict)).toContain("10.0.0.1 is a loopback, private or reserved address");
    expect(await refusal("http://192.168.0.10/cat.png", strict)).toContain("192.168.0.10");
    expect(await refusal("http://169.254.169.254/latest/meta-data/", strict)).toContain("169.254.169.254");
    expect(await refusal("http://[::ffff:7f00:1]/cat.png", strict)).toContain("is a loopback");
  });

  it("refuses a redirect to a private address", async () => {
    expect(await refusal(`${base}/to-private`, trusted)).toContain("10.1.2.3 is a loopback, private or reserved address");
  });

  it("refuses file:, data: and other schemes, and URLs with credentials", async () => {
    expect(await refusal("file:///etc/passwd", strict)).toContain("scheme file: is not allowed");
    expect(await refusal("data:image/png;base64,iVBORw0KGgo=", strict)).toContain("scheme data: is not allowed");
    expect(await refusal("ftp://example.com/cat.png", strict)).toContain("scheme ftp: is not allowed");
    expect(await refusal("http://user:pw@example.com/cat.png", strict)).toContain("credentials");
    expect(await refusal("not a url", strict)).toContain("not a valid URL");
  });

  it("refuses what is not an image: by content type, and by its bytes", async () => {
    expect(await refusal(`${base}/page.html`, trusted)).toContain('content type "text/html" is not an image');
    expect(await refusal(`${base}/fake.png`, trusted)).toContain("not a PNG, JPEG, GIF or WebP image");
    expect(await refusal(`${base}/missing.png`, trusted)).toContain("HTTP 404");
  });

  it("refuses images over the size cap, announced or not", async () => {
    expect(await refusal(`${base}/big.png`, trusted)).toMatch(/4160 bytes is over the 1024-byte limit/);
    expect(await refusal(`${base}/big-chunked.png`, { ...trusted, maxBytes: 100 })).toMatch(/more than the 100-byte limit/);
  });

  it("gives up on a server that does not answer within the timeout", async () => {
    expect(await refusal(`${base}/silent.png`, { ...trusted, timeoutMs: 100 })).toContain("no complete answer within 100 ms");
  });
});

const imagePart = (url: string): ContentPart => ({ part: { $case: "image", value: { source: { $case: "url", value: url } } } });

describe("resolveImageUrls", () => {
  it("inlines every image URL, in content and in tool returns, fetching each URL once", async () => {
    let fetches = 0;
    routes.set("/counted.png", (res) => {
      fetches++;
      res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    });
    const messages = [
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "look" } } }, imagePart(`${base}/counted.png`)] }),
      Message.fromPartial({
        role: MessageRole.MESSAGE_ROLE_TOOL,
        toolReturns: [{ toolCallId: "c1", parts: [imagePart(`${base}/counted.png`)] }],
      }),
    ];
    const resolved = await resolveImageUrls(messages, trusted, signal());
    expect(fetches).toBe(1);
    const inline = { part: { $case: "image", value: { source: { $case: "base64", value: { mediaType: "image/png", data: PNG } } } } };
    expect(resolved[0]!.content[1]).toEqual(inline);
    expect(resolved[0]!.content[0]).toBe(messages[0]!.content[0]);
    expect(resolved[1]!.toolReturns[0]!.parts[0]).toEqual(inline);
    // The request's own messages are left as they were.
    expect(messages[0]!.content[1]!.part).toMatchObject({ value: { source: { $case: "url" } } });
  });

  it("refuses the request with INVALID_ARGUMENT / IMAGE_URL_REFUSED naming the field and the URL", async () => {
    const messages = [
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "hi" } } }] }),
      Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_TOOL, toolReturns: [{ toolCallId: "c1", parts: [imagePart("file:///etc/passwd")] }] }),
    ];
    const error = await resolveImageUrls(messages, strict, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      reason: "IMAGE_URL_REFUSED",
      metadata: { url: "file:///etc/passwd", field: "messages[1].tool_returns[0].parts[0].image.url" },
    });
  });

  it("returns the messages untouched when they hold no image URL", async () => {
    const messages = [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "hi" } } }] })];
    expect(await resolveImageUrls(messages, strict, signal())).toBe(messages);
  });
});
