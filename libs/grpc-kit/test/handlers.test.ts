import { afterEach, describe, expect, it } from "vitest";
import {
  callStream,
  callUnary,
  CallAborted,
  serverStream,
  ServiceError,
  Status,
  unary,
  type CallContext,
} from "../src/index.js";
import { deferred, startHost, type TestClient } from "./json-service.js";

type Item = { n: number; pad?: string };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});


async function start(
  items: (req: { count: number }, ctx: CallContext) => AsyncIterable<Item>,
  echo: (req: { text: string }, ctx: CallContext) => Promise<{ text: string }> = async (r) => r,
  options: Parameters<typeof serverStream<unknown, Item>>[3] = {},
) {
  const holder: { rt?: Parameters<typeof unary>[0] } = {};
  const s = await startHost({
    echo: (call: never, cb: never) => unary(holder.rt!, "Echo", echo)(call, cb),
    items: (call: never) => serverStream(holder.rt!, "Items", items, options)(call),
  });
  holder.rt = s.host.runtime;
  stops.push(async () => {
    s.client.close();
    await s.host.close(1_000);
  });
  return s;
}

const stream = (client: TestClient, req: object, opts = {}) =>
  callStream<object, Item>(client.items.bind(client) as never, req, opts);
const echo = (client: TestClient, req: object, opts = {}) =>
  callUnary<object, { text: string }>(client.echo.bind(client) as never, req, opts);

describe("unary", () => {
  it("returns the handler's response", async () => {
    const { client } = await start(async function* () {});
    await expect(echo(client, { text: "hi" })).resolves.toEqual({ text: "hi" });
  });

  it("maps a ServiceError to its status code, reason and metadata", async () => {
    const { client } = await start(
      async function* () {},
      async () => {
        throw new ServiceError(Status.FAILED_PRECONDITION, "CONVERSATION_BUSY", "busy", {
          metadata: { active_run_id: "run-1" },
        });
      },
    );
    const err = await echo(client, { text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: "CONVERSATION_BUSY",
      message: "busy",
      metadata: { active_run_id: "run-1" },
    });
  });

  it("hides unexpected errors behind INTERNAL", async () => {
    const { client } = await start(
      async function* () {},
      async () => {
        throw new TypeError("secret internals");
      },
    );
    const err = (await echo(client, { text: "x" }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.reason).toBe("INTERNAL");
    expect(err.message).not.toContain("secret");
  });
});

describe("serverStream", () => {
  it("streams every item in order and closes OK", async () => {
    const { client } = await start(async function* (req) {
      for (let n = 0; n < req.count; n++) yield { n };
    });
    const got: number[] = [];
    for await (const item of stream(client, { count: 500 })) got.push(item.n);
    expect(got).toEqual([...Array(500).keys()]);
  });

  it("ends with the status of a handler that throws before it returns a stream", async () => {
    const { client } = await start(() => {
      throw new ServiceError(Status.INVALID_ARGUMENT, "INVALID_ARGUMENT", "count: must be positive", { metadata: { field: "count" } });
    });
    const err = await (async () => {
      for await (const _ of stream(client, {})) {
        // nothing arrives
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.INVALID_ARGUMENT, metadata: { field: "count" } });
  });

  it("ends with the ServiceError's status after the items already sent", async () => {
    const { client } = await start(async function* () {
      yield { n: 1 };
      throw new ServiceError(Status.RESOURCE_EXHAUSTED, "RATE_LIMITED", "slow down", { retryDelayMs: 1500 });
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const item of stream(client, {})) got.push(item.n);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1]);
    expect(err).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, reason: "RATE_LIMITED", retryDelayMs: 1500 });
  });

  it("does not run ahead of a slow reader (backpressure)", async () => {
    const pad = "x".repeat(64 * 1024);
    let produced = 0;
    const { client } = await start(async function* (_req, ctx) {
      while (!ctx.signal.aborted) {
        produced++;
        yield { n: produced, pad };
        // Let I/O run now and then, so that without backpressure this fails instead of hanging.
        if (produced % 16 === 0) await new Promise((r) => setImmediate(r));
      }
    });
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of stream(client, {})) {
      consumed++;
      maxAhead = Math.max(maxAhead, produced - consumed);
      if (consumed === 400) break;
    }
    // 64 KiB items: the transport buffers a few MiB at most.
    expect(maxAhead).toBeLessThan(150);
  });

  it("aborts the handler's signal and runs its finally when the client cancels", async () => {
    const finished = deferred<unknown>();
    const { client } = await start(async function* (_req, ctx) {
      try {
        yield { n: 1 };
        await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      } finally {
        finished.resolve(ctx.signal.reason);
      }
    });
    const controller = new AbortController();
    const err = await (async () => {
      for await (const _ of stream(client, {}, { signal: controller.signal })) controller.abort();
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.CANCELLED });
    const reason = await finished.promise;
    expect(reason).toBeInstanceOf(CallAborted);
    expect((reason as CallAborted).cause).toBe("client_cancelled");
  });

  it("cancels the call when the client leaves the loop early", async () => {
    const finished = deferred<unknown>();
    const { client } = await start(async function* (_req, ctx) {
      try {
        for (let n = 0; ; n++) {
          yield { n };
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        finished.resolve(ctx.signal.reason);
      }
    });
    for await (const item of stream(client, {})) if (item.n === 3) break;
    expect(((await finished.promise) as CallAborted).cause).toBe("client_cancelled");
  });

  it("aborts with deadline_exceeded when the deadline passes", async () => {
    const finished = deferred<unknown>();
    const { client } = await start(async function* (_req, ctx) {
      try {
        await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      } finally {
        finished.resolve(ctx.signal.reason);
      }
    });
    const err = await (async () => {
      for await (const _ of stream(client, {}, { timeoutMs: 50 })) void _;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(((await finished.promise) as CallAborted).cause).toBe("deadline_exceeded");
  });

  it("lets an open stream end with its final item when the server shuts down", async () => {
    const started = deferred();
    const { client, host } = await start(async function* (_req, ctx) {
      yield { n: 1 };
      started.resolve();
      await new Promise((r) => ctx.signal.addEventListener("abort", r));
      yield { n: 99 };
    });
    const got: number[] = [];
    const reading = (async () => {
      for await (const item of stream(client, {})) got.push(item.n);
    })();
    await started.promise;
    await host.close(5_000);
    await reading;
    expect(got).toEqual([1, 99]);
  });
});

describe("server stream with merge", () => {
  /** Items with a `pad` fold into one: their `n`s add up, their pads join. */
  const merge = (a: Item, b: Item): Item | undefined => (a.pad !== undefined && b.pad !== undefined ? { n: a.n + b.n, pad: a.pad + b.pad } : undefined);
  const nextTurn = () => new Promise((r) => setImmediate(r));

  it("sends the first item of a turn at once and folds the ones after it, keeping separate turns apart", async () => {
    const { client } = await start(
      async function* () {
        yield { n: 1, pad: "a" };
        yield { n: 2, pad: "b" };
        yield { n: 3, pad: "c" };
        await nextTurn();
        await nextTurn();
        yield { n: 10, pad: "d" };
        // Not mergeable: goes out on its own, after what came before.
        yield { n: 100 };
        yield { n: 1000, pad: "e" };
      },
      undefined,
      { merge },
    );
    const got: Item[] = [];
    for await (const item of stream(client, {})) got.push(item);
    expect(got).toEqual([{ n: 1, pad: "a" }, { n: 5, pad: "bc" }, { n: 10, pad: "d" }, { n: 100 }, { n: 1000, pad: "e" }]);
  });

  it("sends the items already produced before the error status", async () => {
    const { client } = await start(
      async function* () {
        yield { n: 1, pad: "a" };
        yield { n: 2, pad: "b" };
        throw new ServiceError(Status.UNAVAILABLE, "PROVIDER_UNAVAILABLE", "gone");
      },
      undefined,
      { merge },
    );
    const got: Item[] = [];
    const err = await (async () => {
      for await (const item of stream(client, {})) got.push(item);
    })().catch((e: unknown) => e);
    expect(got).toEqual([{ n: 1, pad: "a" }, { n: 2, pad: "b" }]);
    expect(err).toMatchObject({ code: Status.UNAVAILABLE, reason: "PROVIDER_UNAVAILABLE" });
  });

  it("keeps items of separate turns apart behind a slow reader, losing and reordering nothing", async () => {
    let produced = 0;
    const { client } = await start(
      async function* () {
        for (; produced < 2000; produced++) {
          yield { n: produced, pad: "x".repeat(1024) };
          await nextTurn();
        }
      },
      undefined,
      { merge },
    );
    const got: number[] = [];
    let maxAhead = 0;
    for await (const item of stream(client, {})) {
      got.push(item.n);
      maxAhead = Math.max(maxAhead, produced - got.length);
      // A slow reader at first: the server's writes back up and its source is paused.
      if (got.length < 20) await new Promise((r) => setTimeout(r, 20));
    }
    expect(got).toEqual([...Array(2000).keys()]);
    // The transport holds about a hundred such items and the writer at most 256: the source
    // waited, where unpaused it would have run through all 2000 while the reader slept.
    expect(maxAhead).toBeLessThan(1000);
  });
});
