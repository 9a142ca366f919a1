// Store benchmark: one agent with --rows messages (default 1,000,000) in a throwaway Postgres,
// loaded through AppendMessages in batches of --batch from --writers concurrent streams (append
// throughput), then ListMessages(limit 100) at
// random cursors over gRPC, against the same page read straight from Postgres in the same run.
import { randomBytes, randomUUID } from "node:crypto";
import { credentials, Metadata } from "@grpc/grpc-js";
import pg from "pg";
import { callUnary, releasedClient } from "@conduit/grpc-kit";
import { Agent, Message, MessageRole } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient } from "@conduit/proto/store/v1";
import { startPostgres, startService } from "@conduit/testing";
import { cpuSeconds, numberFlag, percentile, round, writeResult } from "./support.js";

const WORDS = "the agent called a tool and read the memory block before it answered the user with care".split(" ");

function message(i: number): Message {
  const text = Array.from({ length: 40 }, (_, j) => WORDS[(i * 7 + j) % WORDS.length]).join(" ");
  return Message.fromPartial({
    role: i % 2 === 0 ? MessageRole.MESSAGE_ROLE_USER : MessageRole.MESSAGE_ROLE_ASSISTANT,
    content: [{ part: { $case: "text", value: { text: `${i}: ${text}` } } }],
    otid: randomUUID(),
  });
}

/** What a ListMessages page reads: every column but the search text and its vector. */
const PAGE_COLUMNS =
  "sequence_id, id, organization_id, agent_id, conversation_id, run_id, step_id, role, content, tool_calls, tool_call_id, " +
  "tool_returns, approvals, model, name, otid, is_err, created_at, updated_at";

/**
 * pg's callback form: its promise form keeps each result reachable after the call, and the
 * copies that makes at every young-generation collection paused this client (and so both
 * measurements) for several milliseconds. Named, so prepared once, as the store's statements are.
 */
const query = (sql: pg.Client, name: string, text: string, values: unknown[]) =>
  new Promise<void>((resolve, reject) => sql.query({ name, text, values }, (err) => (err ? reject(err) : resolve())));

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export async function run(args: string[]): Promise<void> {
  const rows = numberFlag(args, "--rows", 1_000_000);
  const batchSize = numberFlag(args, "--batch", 1000);
  const queries = numberFlag(args, "--queries", 2000);
  // Unmeasured calls first: the list path's code is only optimized by V8 after a few thousand calls.
  const warmup = numberFlag(args, "--warmup", 3000);
  // `--profile DIR`: the store writes a V8 CPU profile there when it stops.
  const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined;
  const adminKey = randomBytes(24).toString("hex");
  // Sized like a database server rather than a test fixture: the table and its indexes
  // (about 2 GB at a million rows) stay in shared buffers, and the load triggers no checkpoint.
  const postgres = await startPostgres({
    settings: { shared_buffers: "3GB", effective_cache_size: "8GB", max_wal_size: "8GB", work_mem: "16MB", gin_pending_list_limit: "32MB" },
  });
  const store = await startService("message-store", {
    CONDUIT_PORT: "0",
    DATABASE_URL: postgres.url,
    CONDUIT_ADMIN_KEY: adminKey,
    CONDUIT_INTERNAL_KEY: randomBytes(24).toString("hex"),
  }, { nodeArgs: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [] });
  const client = new (releasedClient(MessageStoreServiceClient))(store.address, credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 << 20,
    "grpc.max_receive_message_length": 64 << 20,
  });
  const sql = new pg.Client({ connectionString: postgres.url });
  try {
    const as = (key: string) => {
      const md = new Metadata();
      md.set("authorization", `Bearer ${key}`);
      return { metadata: md };
    };
    const { organization } = await callUnary(client.createOrganization.bind(client), { name: "bench" }, as(adminKey));
    const { plaintextKey } = await callUnary(
      client.createApiKey.bind(client),
      { organizationId: organization!.id, name: "bench" },
      as(adminKey),
    );
    const caller = as(plaintextKey);
    const { agent } = await callUnary(client.createAgent.bind(client), { agent: Agent.fromPartial({ name: "bench" }) }, caller);
    const agentId = agent!.id;

    // Append: `--writers` streams of batches at once. One agent's writes are ordered by its lock,
    // so concurrency only overlaps one batch's decoding and validation with another's commit.
    const writers = numberFlag(args, "--writers", 2);
    const batches = Math.ceil(rows / batchSize);
    let next = 0;
    let low = Infinity;
    let high = 0;
    const cpuBefore = { client: process.cpuUsage(), store: cpuSeconds(store.pid), postgres: cpuSeconds(postgres.pid!) };
    const appendStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let b = next++; b < batches; b = next++) {
          const start = b * batchSize;
          const messages = Array.from({ length: Math.min(batchSize, rows - start) }, (_, j) => message(start + j));
          const res = await callUnary(client.appendMessages.bind(client), { agentId, messages, addToContext: false }, caller);
          low = Math.min(low, Number(res.messages[0]!.sequenceId));
          high = Math.max(high, Number(res.messages.at(-1)!.sequenceId));
          if (b % 100 === 0) process.stderr.write(`appended batch ${b + 1}/${batches}\n`);
        }
      }),
    );
    const appendSeconds = elapsedMs(appendStart) / 1000;
    const clientCpu = process.cpuUsage(cpuBefore.client);
    // Where the append phase spent CPU, in microseconds per message: the machine has 2 cores.
    const appendCpuUsPerMsg = {
      client: round(((clientCpu.user + clientCpu.system) / rows), 1),
      store: round(((cpuSeconds(store.pid) - cpuBefore.store) * 1e6) / rows, 1),
      postgres: round(((cpuSeconds(postgres.pid!) - cpuBefore.postgres) * 1e6) / rows, 1),
    };

    // List: random cursors over the whole range, over gRPC and straight from Postgres.
    await sql.connect();
    // A bulk load leaves the table unvacuumed: without this, autovacuum's first pass over it
    // (and the hint bits every first read sets) would run during the list phase.
    await sql.query("VACUUM (ANALYZE) messages");
    const lo = low;
    const span = high - lo;
    const cursor = () => String(lo + Math.floor(Math.random() * span));
    const grpcMs: number[] = [];
    const sqlMs: number[] = [];
    for (let i = 0; i < queries + warmup; i++) {
      const after = cursor();
      let t = process.hrtime.bigint();
      const page = await callUnary(client.listMessages.bind(client), { agentId, after, limit: 100, roles: [], order: 0 }, caller);
      const g = elapsedMs(t);
      t = process.hrtime.bigint();
      await query(sql, "page", `SELECT ${PAGE_COLUMNS} FROM messages WHERE agent_id = $1 AND sequence_id > $2 ORDER BY sequence_id LIMIT 101`, [
        agentId,
        after,
      ]);
      const s = elapsedMs(t);
      if (page.messages.length === 0) throw new Error(`empty page after ${after}`);
      if (i >= warmup) {
        grpcMs.push(g);
        sqlMs.push(s);
      }
    }

    writeResult("store", {
      rows,
      list_p50_ms: round(percentile(grpcMs, 50)),
      list_p99_ms: round(percentile(grpcMs, 99)),
      append_msgs_per_s: Math.round(rows / appendSeconds),
      list_queries: queries,
      list_warmup_queries: warmup,
      append_batch: batchSize,
      append_writers: writers,
      append_cpu_us_per_msg: appendCpuUsPerMsg,
      baseline_sql_list_p50_ms: round(percentile(sqlMs, 50)),
      baseline_sql_list_p99_ms: round(percentile(sqlMs, 99)),
      list_p50_vs_sql_ratio: round(percentile(grpcMs, 50) / percentile(sqlMs, 50), 2),
    });
  } finally {
    client.close();
    await sql.end().catch(() => undefined);
    await store.stop();
    await postgres.stop();
  }
}
