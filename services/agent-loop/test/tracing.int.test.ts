import { describe, expect, it } from "vitest";
import type { LogLine, RunningService } from "@conduit/testing";
import { useChain } from "./support/chain.js";
import { userText } from "./support/input.js";
import { call, say, scripted, turn } from "./support/script.js";

const chain = useChain({ all: { CONDUIT_TRACES: "log" } });

const spans = (service: RunningService, traceId: string) =>
  service.lines.filter((l: LogLine) => l.msg === "span" && l.trace_id === traceId).map((l) => l.span as string);

describe("tracing", () => {
  it("puts one run's spans in the three services in one trace, with a span per step, model call and tool", async () => {
    const key = await chain.newTenant();
    const agent = await chain.createAgent(key, scripted(turn(call("conversation_search", { query: "tea" })), turn(say("done"))));
    const { events } = await chain.send(key, { agentId: agent.id, messages: [userText("hi")], streamTokens: true });
    const runId = events[0]!.runId;
    const runSpan = await chain.agentLoop.waitForLine((l) => l.msg === "span" && l.span === "run" && (l.attributes as Record<string, unknown>)["conduit.run_id"] === runId);
    const traceId = runSpan.trace_id as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // The call's own span ends last, once its stream has closed.
    await chain.agentLoop.waitForLine((l) => l.msg === "span" && l.trace_id === traceId && l.span === "conduit.agent.v1.AgentLoopService/SendMessage");
    const loop = spans(chain.agentLoop, traceId);
    expect(loop).toEqual(expect.arrayContaining(["conduit.agent.v1.AgentLoopService/SendMessage", "run", "step", "model call", "tool"]));
    expect(loop.filter((s) => s === "step")).toHaveLength(2);
    expect(loop.filter((s) => s === "model call")).toHaveLength(2);
    await chain.adapter.waitForLine((l) => l.msg === "span" && l.trace_id === traceId);
    expect(spans(chain.adapter, traceId)).toContain("conduit.provider.v1.ProviderAdapterService/StreamCompletion");
    await chain.store.waitForLine((l) => l.msg === "span" && l.trace_id === traceId && l.span === "conduit.store.v1.MessageStoreService/SearchMessages");
    expect(spans(chain.store, traceId)).toEqual(expect.arrayContaining(["conduit.store.v1.MessageStoreService/CommitStep", "conduit.store.v1.MessageStoreService/SearchMessages"]));

    // Log lines written inside the run carry its trace id.
    expect(chain.agentLoop.lines.find((l) => l.msg === "streaming run" && l.runId === runId)?.trace_id).toBe(traceId);
  });
});
