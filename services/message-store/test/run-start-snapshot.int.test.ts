import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Message, MessageRole } from "@conduit/proto/agent/v1";
import { lockWaiters } from "./support/pg-activity.js";
import { createRun } from "./support/runs.js";
import { startStore, type StoreHarness } from "./support/store-harness.js";

const text = (t: string) => Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: t } } }] });

// CreateRun reads the context in the statement that takes the lock, as that statement's snapshot
// has it. A holder that lets go after the snapshot was taken must not leave its last writes out.
// Staged with SQL on Postgres: PGlite has one session, so no other transaction can be open.
describe("starting a run right as the lock's last holder lets go (postgres)", () => {
  let store: StoreHarness;
  let sql: pg.Client;
  beforeAll(async () => {
    store = await startStore("postgres");
    sql = new pg.Client({ connectionString: store.databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await store?.stop();
  });

  it("answers with the context the holder committed, not the one of the statement's start", async () => {
    const t = await store.newAgentTenant();
    const holder = (await createRun(store, t, { acquireLock: true, running: true })).run!;
    const { messages } = await store.call("appendMessages", { agentId: t.agentId, messages: [text("the holder's last word")], addToContext: false }, { apiKey: t.apiKey });
    const last = messages[0]!.id;

    // The holder's final commit, as CommitStep makes it: the context grows and the lock goes, at once.
    const ending = new pg.Client({ connectionString: store.databaseUrl });
    await ending.connect();
    try {
      await ending.query("BEGIN");
      await ending.query("UPDATE agents SET message_ids = message_ids || jsonb_build_array($1::text) WHERE id = $2", [last, t.agentId]);
      await ending.query("DELETE FROM run_locks WHERE run_id = $1", [holder.id]);
      const starting = createRun(store, t, { acquireLock: true, includeContext: true });
      await lockWaiters(sql, 1, "INSERT INTO run_locks");
      await ending.query("COMMIT");
      const started = await starting;
      expect(started.created).toBe(true);
      expect(started.contextMessages.map((m) => m.id)).toEqual([last]);
    } finally {
      await ending.end();
    }
  });
});
