import type { ToolRule } from "@conduit/proto/agent/v1";

/** What is wrong with one rule: its index and the path of the bad field inside it. */
export interface RuleProblem {
  index: number;
  path: string[];
  problem: string;
}

/**
 * Checks an agent's tool rules against its tools: every rule names one of them, at most one
 * tool is forced first, and a tool has at most one per-step cap (two would contradict).
 * Field shapes (names, counts) are checked at the edge before this runs.
 */
export function checkToolRules(rules: readonly ToolRule[], toolNames: ReadonlySet<string>): RuleProblem | undefined {
  let runFirst: number | undefined;
  const capped = new Set<string>();
  for (const [index, { rule }] of rules.entries()) {
    if (!rule) return { index, path: [], problem: "expected one of terminal, run_first, max_count_per_step" };
    const path = [rule.$case, "toolName"];
    const name = rule.value.toolName;
    if (!toolNames.has(name)) return { index, path, problem: `names tool "${name}", which the agent does not have` };
    switch (rule.$case) {
      case "runFirst":
        if (runFirst !== undefined) return { index, path: [rule.$case], problem: `tool_rules[${runFirst}] already forces the first tool` };
        runFirst = index;
        break;
      case "maxCountPerStep":
        if (capped.has(name)) return { index, path, problem: `another max_count_per_step rule already caps "${name}"` };
        capped.add(name);
        break;
      case "terminal":
        break;
      default:
        return assertNever(rule);
    }
  }
  return undefined;
}

function assertNever(value: never): never {
  throw new Error(`unexpected tool rule ${JSON.stringify(value)}`);
}
