import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunEvent, RunStatus, ScriptedErrorClass, StopReason } from "@conduit/proto/agent/v1";
import { startChain, type Chain } from "../../services/agent-loop/test/support/chain.js";
import { assistantText, kinds, payloads } from "../../services/agent-loop/test/support/events.js";
import { fail, say, scripted, think, turn, usage, wait } from "../../services/agent-loop/test/support/script.js";
import { runCli, startCli, type CliProcess, type CliTarget } from "./support/cli-process.js";

let chain: Chain;
beforeAll(async () => {
  chain = await startChain();
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

async function tenant(): Promise<CliTarget> {
  return { address: chain.agentLoop.address, storeAddress: chain.store.address, apiKey: await chain.newTenant() };
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("conduit agents", () => {
  it("creates an agent and prints its id; list and show find it", async () => {
    const target = await tenant();
    const created = await runCli(target, ["agents", "create", "--name", "demo", "--system", "Be brief.", "--type", "memgpt"]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const id = created.stdout.trim();
    expect(id).toMatch(/^agent-[0-9a-f-]+$/);

    const list = await runCli(target, ["agents", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+TYPE\\s+MODEL\\n${id}\\s+demo\\s+memgpt\\s`));
    const listed = jsonLines((await runCli(target, ["agents", "list", "--json"])).stdout);
    expect(listed).toEqual([expect.objectContaining({ id, name: "demo", agentType: "AGENT_TYPE_MEMGPT", system: "Be brief." })]);

    const show = await runCli(target, ["agents", "show", id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^id\\s+${id}$`, "m"));
    expect(show.stdout).toMatch(/^type\s+memgpt$/m);
    expect(show.stdout).toMatch(/^system\s+Be brief\.$/m);
    expect(show.stdout).toMatch(/^tools\s+.*send_message/m);
  });

  it("gives one error line and exit code 1 for an unknown agent", async () => {
    const target = await tenant();
    const { code, stdout, stderr } = await runCli(target, ["agents", "show", "agent-00000000-0000-4000-8000-000000000000"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("conduit: NOT_FOUND AGENT_NOT_FOUND: agent agent-00000000-0000-4000-8000-000000000000 not found\n");
  });

  it("gives one error line and exit code 1 for a bad API key", async () => {
    const target = { ...(await tenant()), apiKey: "not-a-key" };
    for (const args of [["agents", "list"], ["runs", "show", "run-1"], ["send", "agent-1", "hi"]]) {
      const { code, stdout, stderr } = await runCli(target, args);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^conduit: UNAUTHENTICATED INVALID_API_KEY: [^\n]+\n$/);
    }
  });
});

describe("conduit send", () => {
  it("--json prints one RunEvent per line, from run_started to stop and usage", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(say("Hello", " there"), usage(3, 2))));
    const { code, stdout, stderr } = await runCli(target, ["send", agent.id, "hi", "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const events = jsonLines(stdout).map((e) => RunEvent.fromJSON(e));
    expect(kinds(events)[0]).toBe("runStarted");
    expect(kinds(events).slice(-2)).toEqual(["stop", "usage"]);
    expect(payloads(events, "stop")).toEqual([{ stopReason: StopReason.STOP_REASON_END_TURN }]);
    expect(payloads(events, "usage")[0]).toMatchObject({ promptTokens: 3, completionTokens: 2 });
    expect(assistantText(events)).toBe("Hello there");
    expect(events.map((e) => Number(e.seqId))).toEqual(events.map((_, i) => i + 1));
  });

  it("renders the reasoning and the answer and exits 0", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(think(["Short ", "question."]), say("Hi ", "you."))));
    const { code, stdout, stderr } = await runCli(target, ["send", agent.id, "hi"]);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "thinking: Short question.\nHi you.\n", stderr: "" });
  });

  it("exits 1 when the run fails, after showing the error", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(fail(ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE, "overloaded"))));
    const { code, stdout } = await runCli(target, ["send", agent.id, "hi"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^error \(llm_error\): .*\nrun stopped: llm_api_error\n$/);
  });
});

describe("conduit chat on pipes", () => {
  it("answers each line read from stdin in turn and leaves at its end", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, { name: "piped", ...scripted(turn(say("One.")), turn(say("Two."))) });
    const session = startCli(target, ["chat", agent.id]);
    session.write("first\nsecond\n");
    session.endInput();
    expect(await session.exited).toBe(0);
    expect(session.stderr).toBe("");
    expect(session.stdout).toBe(`chat with piped (${agent.id}). Ctrl-C cancels a run; Ctrl-D leaves.\nOne.\nTwo.\n`);
  });
});

describe("conduit runs", () => {
  const followers: CliProcess[] = [];
  afterAll(() => followers.forEach((f) => f.stop()));

  it("shows, follows and cancels a background run that outlives its sender", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(say("Started."), wait(60_000), say("never"))));
    const sender = startCli(target, ["send", agent.id, "go", "--background"]);
    followers.push(sender);
    const runId = (await sender.waitFor(/run (run-[0-9a-f-]+) \(background/)).match[1]!;
    await sender.waitFor("Started.");
    // The sender goes away; a background run goes on.
    sender.stop();
    await sender.exited;

    const shown = await runCli(target, ["runs", "show", runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status\s+running$/m);
    expect(shown.stdout).toMatch(/^background\s+yes$/m);
    expect((await runCli(target, ["runs", "list", "--agent", agent.id])).stdout).toMatch(new RegExp(`^${runId}\\s+${agent.id}\\s+running\\s`, "m"));

    const follower = startCli(target, ["runs", "follow", runId]);
    const jsonFollower = startCli(target, ["runs", "follow", runId, "--after", "2", "--json"]);
    followers.push(follower, jsonFollower);
    // The JSON follower starts past the text, so it has nothing to print until the cancel.
    await follower.waitFor("Started.");

    const cancelled = await runCli(target, ["runs", "cancel", runId]);
    expect(cancelled).toEqual({ code: 0, stdout: `${runId} cancelled\n`, stderr: "" });

    expect(await follower.exited).toBe(1);
    expect(follower.stdout).toBe("Started.\nrun cancelled\n");
    expect(await jsonFollower.exited).toBe(1);
    const replayed = jsonLines(jsonFollower.stdout).map((e) => RunEvent.fromJSON(e));
    expect(Number(replayed[0]!.seqId)).toBe(3);
    expect(kinds(replayed).slice(-2)).toEqual(["stop", "usage"]);
    expect(payloads(replayed, "stop")).toEqual([{ stopReason: StopReason.STOP_REASON_CANCELLED }]);

    const after = await runCli(target, ["runs", "show", runId, "--json"]);
    expect(JSON.parse(after.stdout)).toMatchObject({ id: runId, status: "RUN_STATUS_CANCELLED", stopReason: "STOP_REASON_CANCELLED" });
    expect((await chain.getRun(target.apiKey, runId)).status).toBe(RunStatus.RUN_STATUS_CANCELLED);
    // Following an ended run from past its end prints nothing and tells how it ended.
    expect(await runCli(target, ["runs", "follow", runId, "--after", "1000"])).toEqual({ code: 1, stdout: "", stderr: "" });
  });
});
