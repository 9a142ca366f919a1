import { AgentType, type Agent } from "@conduit/proto/agent/v1";
import { composeTools } from "./base-tools.js";
import { applyFieldMask } from "./field-mask.js";
import { checkToolRules, type RuleProblem } from "./tool-rules.js";

/** What an empty field means when an agent is created (or a field is cleared by an update). */
export const AGENT_DEFAULTS = { agentType: AgentType.AGENT_TYPE_REACT, maxSteps: 50, timezone: "UTC" } as const;

export function withAgentDefaults(agent: Agent): Agent {
  return {
    ...agent,
    agentType: agent.agentType || AGENT_DEFAULTS.agentType,
    maxSteps: agent.maxSteps || AGENT_DEFAULTS.maxSteps,
    timezone: agent.timezone || AGENT_DEFAULTS.timezone,
  };
}

/** A problem in an agent's settings, as a field path (TypeScript keys) and what is wrong. */
export interface SettingsProblem {
  path: (string | number)[];
  problem: string;
}

/** A new agent's settings: defaults, its tools (with the base tools when asked), and rules that fit them. */
export function newAgentSettings(agent: Agent, includeBaseTools: boolean): { agent: Agent } | { problem: SettingsProblem } {
  const withDefaults = withAgentDefaults(agent);
  const next = { ...withDefaults, tools: composeTools(withDefaults.tools, withDefaults.agentType, includeBaseTools) };
  const rule = checkToolRules(next.toolRules, new Set(next.tools.map((t) => t.name)));
  return rule ? { problem: ruleProblem(rule) } : { agent: next };
}

/**
 * An agent after an update: the changed fields replace the stored ones, cleared fields take
 * their defaults, and the rules must still fit the tools — when the update changed only the
 * tools, a rule left without its tool is the tools' problem.
 */
export function updatedAgentSettings(
  stored: Agent,
  changed: Agent,
  keys: ReadonlySet<keyof Agent & string>,
): { agent: Agent } | { problem: SettingsProblem } {
  const merged = applyFieldMask(stored, changed, keys);
  const next = withAgentDefaults({ ...merged, tools: composeTools(merged.tools, merged.agentType, false) });
  const rule = checkToolRules(next.toolRules, new Set(next.tools.map((t) => t.name)));
  if (!rule) return { agent: next };
  if (keys.has("toolRules")) return { problem: ruleProblem(rule) };
  return { problem: { path: ["tools"], problem: `tool_rules[${rule.index}] ${rule.problem}` } };
}

const ruleProblem = (rule: RuleProblem): SettingsProblem => ({ path: ["toolRules", rule.index, ...rule.path], problem: rule.problem });
