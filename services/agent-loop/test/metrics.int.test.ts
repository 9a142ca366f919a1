import { describe, expect, it } from "vitest";
import { ScriptedErrorClass } from "@conduit/proto/agent/v1";
import { useChain } from "./support/chain.js";
import { userText } from "./support/input.js";
import { fail, say, scripted, turn } from "./support/script.js";

const chain = useChain({ agentLoop: { CONDUIT_METRICS_PORT: "0" } });

async function metrics(): Promise<string> {
  const address = chain.agentLoop.lines.find((l) => l.msg === "metrics serving")!.address as string;
  const res = await fetch(`http://${address}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample, e.g. `conduit_runs_total{status="completed",stop_reason="end_turn"}`. */
const sample = (text: string, series: string) => Number(text.split("\n").find((l) => l.startsWith(`${series} `))?.split(" ")[1] ?? "0");

describe("Prometheus metrics", () => {
  it("count runs by status and stop reason, failures by error type, and time to first token", async () => {
    const key = await chain.newTenant();
    const before = await metrics();
    const ok = await chain.createAgent(key, scripted(turn(say("hi"))));
    await chain.send(key, { agentId: ok.id, messages: [userText("hello")], streamTokens: true });
    const failing = await chain.createAgent(key, scripted(turn(fail(ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT))));
    await chain.send(key, { agentId: failing.id, messages: [userText("hello")], streamTokens: true });
    const after = await metrics();

    const completed = 'conduit_runs_total{status="completed",stop_reason="end_turn"}';
    expect(sample(after, completed) - sample(before, completed)).toBe(1);
    const failed = 'conduit_runs_total{status="failed",stop_reason="llm_api_error"}';
    expect(sample(after, failed) - sample(before, failed)).toBe(1);
    const rateLimited = 'conduit_run_errors_total{error_type="llm_rate_limit"}';
    expect(sample(after, rateLimited) - sample(before, rateLimited)).toBe(1);
    expect(sample(after, "conduit_run_ttft_seconds_count") - sample(before, "conduit_run_ttft_seconds_count")).toBe(1);
    expect(after).toContain('conduit_run_ttft_seconds_bucket{le="0.005"}');
    expect(sample(after, "conduit_active_streams")).toBe(0);
    expect(after).toContain("conduit_process_resident_memory_bytes");
  });
});
