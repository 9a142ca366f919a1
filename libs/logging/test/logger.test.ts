import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, withIds } from "../src/index.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, destination };
}

describe("createLogger", () => {
  it("writes JSON lines with the service, level label and ids", () => {
    const { lines, destination } = capture();
    const log = withIds(createLogger({ service: "agent-loop", destination }), { requestId: "req-1", runId: "run-1" });
    log.info({ step: 2 }, "step done");
    expect(lines[0]).toMatchObject({ service: "agent-loop", level: "info", request_id: "req-1", run_id: "run-1", step: 2, msg: "step done" });
  });

  it("never writes secrets, even nested", () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: "provider-adapter", destination });
    log.info({ apiKey: "sk-live-1", provider: { api_key: "sk-live-2", name: "openai" }, call: { metadata: { authorization: "Bearer k" } } }, "x");
    const text = JSON.stringify(lines[0]);
    expect(text).not.toMatch(/sk-live|Bearer k/);
    expect(lines[0]).toMatchObject({ provider: { name: "openai", api_key: "[redacted]" } });
  });
});
