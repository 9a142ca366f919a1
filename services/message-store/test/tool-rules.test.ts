import { describe, expect, it } from "vitest";
import { ToolRule } from "@conduit/proto/agent/v1";
import { checkToolRules } from "../src/core/tool-rules.js";

const terminal = (toolName: string) => ToolRule.fromPartial({ rule: { $case: "terminal", value: { toolName } } });
const runFirst = (toolName: string) => ToolRule.fromPartial({ rule: { $case: "runFirst", value: { toolName } } });
const cap = (toolName: string, maxCount: number) =>
  ToolRule.fromPartial({ rule: { $case: "maxCountPerStep", value: { toolName, maxCount } } });

describe("tool rules", () => {
  const tools = new Set(["lookup", "send_message"]);

  it("accepts rules over the agent's tools", () => {
    expect(checkToolRules([terminal("send_message"), runFirst("lookup"), cap("lookup", 2)], tools)).toBeUndefined();
  });

  it("names the field of a rule whose tool the agent lacks", () => {
    expect(checkToolRules([terminal("lookup"), cap("nope", 1)], tools)).toEqual({
      index: 1,
      path: ["maxCountPerStep", "toolName"],
      problem: expect.stringContaining('"nope"'),
    });
  });

  it("refuses an empty rule, two forced first tools and two caps on one tool", () => {
    expect(checkToolRules([ToolRule.fromPartial({})], tools)).toMatchObject({ index: 0, path: [] });
    expect(checkToolRules([runFirst("lookup"), runFirst("send_message")], tools)).toMatchObject({ index: 1, path: ["runFirst"] });
    expect(checkToolRules([cap("lookup", 1), cap("lookup", 3)], tools)).toMatchObject({ index: 1 });
  });
});
