import { existsSync, readFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { describe, expect, expectTypeOf, inject, it } from "vitest";
import type { TestProject } from "vitest/node";
import { setup, teardown } from "../src/global-setup.js";
import { pidsListeningWith } from "./helpers/processes.js";

describe("global setup", () => {
  it("declares pgUrl and natsUrl for inject()", () => {
    expectTypeOf(inject<"pgUrl">).returns.toEqualTypeOf<string>();
    expectTypeOf(inject<"natsUrl">).returns.toEqualTypeOf<string>();
  });

  it("provides a working Postgres and NATS, and teardown leaves no process or directory", async () => {
    const provided = new Map<string, string>();
    const project = { provide: (key: string, value: string) => provided.set(key, value) };
    await setup(project as unknown as TestProject);
    let leftovers: { pids: number[]; dirs: string[] };
    try {
      const pgUrl = provided.get("pgUrl")!;
      const natsUrl = provided.get("natsUrl")!;
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.end();
      await (await connect({ servers: natsUrl, reconnect: false })).close();
      const pids = [new URL(pgUrl).port, new URL(natsUrl).port].flatMap((port) => pidsListeningWith(Number(port)));
      expect(pids).toHaveLength(2);
      leftovers = { pids, dirs: pids.map(dataDirOf) };
    } finally {
      await teardown();
    }
    for (const pid of leftovers.pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const dir of leftovers.dirs) expect(existsSync(dir)).toBe(false);
  });
});

/** The directory a server was started on: postgres' `-D`, nats-server's `-sd`. */
function dataDirOf(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const flag = args.findIndex((arg) => arg === "-D" || arg === "-sd");
  return args[flag + 1]!;
}
