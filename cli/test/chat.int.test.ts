import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunStatus, StopReason } from "@conduit/proto/agent/v1";
import { startChain, type Chain } from "../../services/agent-loop/test/support/chain.js";
import { call, say, scripted, think, turn, wait } from "../../services/agent-loop/test/support/script.js";
import { runCli, startCliInTerminal, type CliProcess, type CliTarget } from "./support/cli-process.js";

let chain: Chain;
beforeAll(async () => {
  chain = await startChain();
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

const sessions: CliProcess[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});

async function tenant(): Promise<CliTarget> {
  return { address: chain.agentLoop.address, storeAddress: chain.store.address, apiKey: await chain.newTenant() };
}

const PROMPT = /^> $/m;

/** `conduit chat <agent>` in a pseudo-terminal, once it shows its first prompt. */
async function chat(target: CliTarget, agentId: string) {
  const session = startCliInTerminal(target, ["chat", agentId]);
  sessions.push(session);
  let seen = (await session.waitFor(PROMPT)).end;
  return {
    session,
    /** Waits for `pattern` after what the last wait saw; returns the text up to the match's end. */
    async expect(pattern: RegExp | string) {
      const from = seen;
      seen = (await session.waitFor(pattern, from)).end;
      return session.output.slice(from, seen);
    },
    type: (keys: string) => session.write(keys),
  };
}

describe("conduit chat in a terminal", () => {
  it("streams a turn as it comes: reasoning, then the answer, then a new prompt; Ctrl-D leaves", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(think(["A greeting."]), say("Hello ", "from ", "Conduit."))));
    const c = await chat(target, agent.id);
    c.type("hi\r");
    const shown = await c.expect("Hello from Conduit.\n");
    expect(shown).toContain("thinking: A greeting.\nHello from Conduit.\n");
    await c.expect(PROMPT);
    c.type("\x04");
    expect(await c.session.exited).toBe(0);
    // NO_COLOR: no styling escapes, not even on a terminal.
    expect(c.session.raw).not.toContain("\x1b[2m");
  });

  it("asks about a call that needs approval: y runs it, n with a reason denies it, and the agent goes on", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, {
      memoryBlocks: [{ label: "human", value: "Name: Ada", limit: 100, description: "", readOnly: false } as never],
      tools: [{ name: "memory_replace", description: "", requiresApproval: true, executor: 0 } as never],
      ...scripted(
        turn(call("memory_replace", { label: "human", old_text: "Ada", new_text: "Grace" }, "call_grace")),
        turn(say("Saved: Grace.")),
        turn(call("memory_replace", { label: "human", old_text: "Grace", new_text: "Bob" }, "call_bob")),
        turn(say("Understood, still Grace.")),
      ),
    });
    const c = await chat(target, agent.id);
    const memory = async () => (await chain.getAgent(target.apiKey, agent.id)).memoryBlocks[0]!.value;

    c.type("call me Grace\r");
    await c.expect('approve memory_replace(label: "human", old_text: "Ada", new_text: "Grace")? [y/N] ');
    expect(await memory()).toBe("Name: Ada");
    c.type("y\r");
    const approved = await c.expect("Saved: Grace.\n");
    expect(approved).toMatch(/^← ok/m);
    expect(await memory()).toBe("Name: Grace");
    await c.expect(PROMPT);

    c.type("call me Bob\r");
    await c.expect('approve memory_replace(label: "human", old_text: "Grace", new_text: "Bob")? [y/N] ');
    c.type("n\r");
    await c.expect("reason: ");
    c.type("keep Grace\r");
    const denied = await c.expect("Understood, still Grace.\n");
    expect(denied).toContain("← error: Error: request to call tool denied. User reason: keep Grace\n");
    expect(await memory()).toBe("Name: Grace");
    await c.expect(PROMPT);
    c.type("\x03");
    expect(await c.session.exited).toBe(0);
  });

  it("Ctrl-C at an approval question denies the pending call, and the agent takes the next message", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, {
      tools: [{ name: "conversation_search", description: "", requiresApproval: true, executor: 0 } as never],
      ...scripted(turn(call("conversation_search", { query: "secrets" }, "call_search")), turn(say("Fine, no search."))),
    });
    const c = await chat(target, agent.id);
    c.type("look it up\r");
    await c.expect('approve conversation_search(query: "secrets")? [y/N] ');
    c.type("\x03");
    await c.expect("approval abandoned: the pending calls were denied\n");
    await c.expect(PROMPT);
    c.type("never mind\r");
    await c.expect("Fine, no search.\n");
    await c.expect(PROMPT);
    c.type("\x04");
    expect(await c.session.exited).toBe(0);
  });

  it("cancels the run on Ctrl-C during a long wait, and the session goes on", async () => {
    const target = await tenant();
    const agent = await chain.createAgent(target.apiKey, scripted(turn(say("Working on it"), wait(60_000), say("never")), turn(say("Back again."))));
    const c = await chat(target, agent.id);
    c.type("take your time\r");
    await c.expect("Working on it");
    c.type("\x03");
    await c.expect("\nrun cancelled\n");
    await c.expect(PROMPT);

    const runs = await runCli(target, ["runs", "list", "--agent", agent.id, "--json"]);
    const [run] = runs.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string });
    expect(await chain.getRun(target.apiKey, run!.id)).toMatchObject({ status: RunStatus.RUN_STATUS_CANCELLED, stopReason: StopReason.STOP_REASON_CANCELLED });

    c.type("still there?\r");
    await c.expect("Back again.\n");
    await c.expect(PROMPT);
    c.type("\x04");
    expect(await c.session.exited).toBe(0);
  });
});
