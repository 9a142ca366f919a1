import { describe, expect, it } from "vitest";
import { AgentType, Tool, ToolExecutor } from "@conduit/proto/agent/v1";
import { baseToolsFor, BUILTIN_TOOLS, completeTool, composeTools } from "../src/core/base-tools.js";

const names = (tools: Tool[]) => tools.map((t) => t.name);
const clientTool = Tool.fromPartial({
  name: "lookup",
  executor: ToolExecutor.TOOL_EXECUTOR_CLIENT,
  jsonSchema: { type: "object", properties: {} },
});

describe("base tools", () => {
  it("gives react agents the memory and search tools, and memgpt agents send_message too", () => {
    expect(names(baseToolsFor(AgentType.AGENT_TYPE_REACT))).toEqual(["memory_insert", "memory_replace", "conversation_search"]);
    expect(names(baseToolsFor(AgentType.AGENT_TYPE_MEMGPT))).toEqual([
      "memory_insert",
      "memory_replace",
      "conversation_search",
      "send_message",
    ]);
  });

  it("defines each built-in tool with a description and the JSON schema of its arguments", () => {
    const required = (name: string) => (BUILTIN_TOOLS.get(name)!.jsonSchema as { required: string[] }).required;
    const properties = (name: string) => Object.keys((BUILTIN_TOOLS.get(name)!.jsonSchema as { properties: object }).properties);
    expect(properties("memory_insert")).toEqual(["label", "text", "line"]);
    expect(required("memory_insert")).toEqual(["label", "text"]);
    expect(properties("memory_replace")).toEqual(["label", "old_text", "new_text"]);
    expect(required("memory_replace")).toEqual(["label", "old_text", "new_text"]);
    expect(properties("conversation_search")).toEqual(["query", "roles", "limit", "start_date", "end_date"]);
    expect(required("conversation_search")).toEqual(["query"]);
    expect(properties("send_message")).toEqual(["message"]);
    for (const tool of BUILTIN_TOOLS.values()) {
      expect(tool.executor).toBe(ToolExecutor.TOOL_EXECUTOR_BUILTIN);
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.jsonSchema).toMatchObject({ type: "object", additionalProperties: false });
    }
  });

  it("adds the base tools after the caller's, keeping a caller's tool that has a built-in name", () => {
    const own = { ...clientTool, name: "memory_replace", description: "mine" };
    const tools = composeTools([clientTool, own], AgentType.AGENT_TYPE_REACT, true);
    expect(names(tools)).toEqual(["lookup", "memory_replace", "memory_insert", "conversation_search"]);
    expect(tools[1]).toEqual(own);
  });

  it("adds nothing when the caller opts out", () => {
    expect(names(composeTools([clientTool], AgentType.AGENT_TYPE_MEMGPT, false))).toEqual(["lookup"]);
  });

  it("fills in a built-in tool declared by name only, and marks an unset executor BUILTIN", () => {
    const declared = completeTool(Tool.fromPartial({ name: "send_message", requiresApproval: true }));
    expect(declared).toEqual({ ...BUILTIN_TOOLS.get("send_message")!, requiresApproval: true });
    expect(completeTool(clientTool)).toEqual(clientTool);
  });

  it("hands out copies, so callers cannot change the definitions", () => {
    const [first] = composeTools([], AgentType.AGENT_TYPE_REACT, true);
    first!.description = "changed";
    (first!.jsonSchema as { type: string }).type = "changed";
    expect(BUILTIN_TOOLS.get("memory_insert")!.description).not.toBe("changed");
    expect(BUILTIN_TOOLS.get("memory_insert")!.jsonSchema).toMatchObject({ type: "object" });
  });
});
