import { describe, expect, it } from "vitest";
import { MessageRole, RunStatus, StopReason } from "@conduit/proto/agent/v1";
import { useChain } from "./support/chain.js";
import { assistantText, ending, kinds, payloads } from "./support/events.js";
import { userText } from "./support/input.js";
import { say, scripted, think, turn, usage } from "./support/script.js";

const chain = useChain();


describe("SendMessage, react agent", () => {
  it("streams reasoning then text, stops with end_turn, and persists the same messages", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(think(["Let me ", "think."], "sig-1"), say("Hello", ", world"), usage(12, 5))));
    const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    expect(error).toBeUndefined();
    expect(kinds(events)[0]).toBe("runStarted");
    expect(ending(events)).toEqual(["stop", "usage"]);
    expect(payloads(events, "stop")[0]!.stopReason).toBe(StopReason.STOP_REASON_END_TURN);
    expect(assistantText(events)).toBe("Hello, world");
    const runId = events[0]!.runId;
    const run = await chain.getRun(key, runId);
    expect(run.status).toBe(RunStatus.RUN_STATUS_COMPLETED);
    expect(run.usage).toMatchObject({ promptTokens: 12, completionTokens: 5, stepCount: 1 });
    const stored = await chain.runMessages(key, agent.id, runId);
    expect(stored.map((m) => m.role)).toEqual([MessageRole.MESSAGE_ROLE_USER, MessageRole.MESSAGE_ROLE_ASSISTANT]);
  });
});
