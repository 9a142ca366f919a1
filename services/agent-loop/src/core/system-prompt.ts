import type { Agent } from "@conduit/proto/agent/v1";

/**
 * The system prompt of one step: the agent's system text and its memory blocks as they are
 * now, so an edit made by a tool shows in the very next step.
 */
export function compileSystemPrompt(agent: Pick<Agent, "system" | "memoryBlocks">): string {
  if (agent.memoryBlocks.length === 0) return agent.system;
  const blocks = agent.memoryBlocks.map((b) =>
    [
      `<${b.label}>`,
      ...(b.description ? [`<description>${b.description}</description>`] : []),
      `<metadata>chars_current=${[...b.value].length} chars_limit=${b.limit}${b.readOnly ? " read_only=true" : ""}</metadata>`,
      "<value>",
      b.value,
      "</value>",
      `</${b.label}>`,
    ].join("\n"),
  );
  return [
    agent.system,
    "",
    "<memory_blocks>",
    "These memory blocks are your core memory; edit them with your memory tools.",
    "",
    blocks.join("\n\n"),
    "</memory_blocks>",
  ].join("\n");
}
