import { describe, expect, it } from "vitest";
import { Agent, AgentType, Tool, ToolExecutor, ToolRule } from "@conduit/proto/agent/v1";
import { newAgentSettings, updatedAgentSettings } from "../src/core/agent-settings.js";

const lookup = Tool.fromPartial({ name: "lookup", executor: ToolExecutor.TOOL_EXECUTOR_CLIENT, jsonSchema: { type: "object" } });
const terminal = (toolName: string) => ToolRule.fromPartial({ rule: { $case: "terminal", value: { toolName } } });

describe("agent settings", () => {
  it("fills defaults and base tools on create, so rules may name a base tool", () => {
    const settings = newAgentSettings(
      Agent.fromPartial({ name: "a", agentType: AgentType.AGENT_TYPE_MEMGPT, toolRules: [terminal("send_message")] }),
      true,
    );
    expect("agent" in settings && settings.agent).toMatchObject({ maxSteps: 50, timezone: "UTC" });
    expect("agent" in settings && settings.agent.tools.map((t) => t.name)).toContain("send_message");
  });

  it("refuses on create a rule whose tool the agent lacks, naming the rule's field", () => {
    const settings = newAgentSettings(Agent.fromPartial({ name: "a", toolRules: [terminal("send_message")] }), true);
    expect(settings).toEqual({ problem: { path: ["toolRules", 0, "terminal", "toolName"], problem: expect.any(String) } });
  });

  it("restores defaults for cleared fields on update", () => {
    const stored = Agent.fromPartial({ name: "a", agentType: AgentType.AGENT_TYPE_MEMGPT, maxSteps: 7, timezone: "Europe/Paris" });
    const settings = updatedAgentSettings(stored, Agent.fromPartial({}), new Set(["agentType", "maxSteps", "timezone"] as const));
    expect("agent" in settings && settings.agent).toMatchObject({ agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" });
  });

  it("blames the tools when an update removes a tool a stored rule names", () => {
    const stored = Agent.fromPartial({ name: "a", tools: [lookup], toolRules: [terminal("lookup")] });
    expect(updatedAgentSettings(stored, Agent.fromPartial({ tools: [] }), new Set(["tools"] as const))).toEqual({
      problem: { path: ["tools"], problem: expect.stringContaining("tool_rules[0]") },
    });
    expect(updatedAgentSettings(stored, Agent.fromPartial({ toolRules: [terminal("x")] }), new Set(["toolRules"] as const))).toEqual({
      problem: { path: ["toolRules", 0, "terminal", "toolName"], problem: expect.any(String) },
    });
  });
});
