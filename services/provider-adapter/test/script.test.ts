import { describe, expect, it } from "vitest";
import { FinishReason, Message, MessageRole, ScriptedErrorClass, ScriptedModelSettings, ScriptedTurn } from "@conduit/proto/agent/v1";
import { echoTurn, pickTurn, turnIndexOf, turnSteps, type ScriptStep } from "../src/providers/scripted/script.js";

const turn = (actions: ScriptedTurn["actions"], finishReason = FinishReason.FINISH_REASON_UNSPECIFIED) =>
  ScriptedTurn.fromPartial({ actions, finishReason });
const events = (steps: ScriptStep[]) => steps.map((s) => (s.kind === "event" ? s.event.event : s));

describe("turnSteps", () => {
  it("streams text and reasoning chunk by chunk, the signature on the last reasoning chunk, then finish STOP", () => {
    const steps = [
      ...turnSteps(
        turn([
          { action: { $case: "reasoning", value: { chunks: ["thin", "king"], signature: "sig" } } },
          { action: { $case: "text", value: { chunks: ["Hel", "lo"] } } },
        ]),
        0,
      ),
    ];
    expect(events(steps)).toEqual([
      { $case: "reasoningDelta", value: { text: "thin", signature: undefined } },
      { $case: "reasoningDelta", value: { text: "king", signature: "sig" } },
      { $case: "textDelta", value: { text: "Hel" } },
      { $case: "textDelta", value: { text: "lo" } },
      { $case: "finish", value: { reason: FinishReason.FINISH_REASON_STOP, rawReason: "stop", model: "conduit/scripted" } },
    ]);
  });

  it("numbers tool calls within the turn, gives ids stable per turn, and finishes with TOOL_CALLS", () => {
    const steps = [
      ...turnSteps(
        turn([
          { action: { $case: "toolCall", value: { name: "a", argumentChunks: ['{"x"', ":1}"] } } },
          { action: { $case: "toolCall", value: { id: "mine", name: "b", argumentChunks: [] } } },
        ]),
        2,
      ),
    ];
    expect(events(steps)).toEqual([
      { $case: "toolCallDelta", value: { index: 0, id: "call_2_0", name: "a", argumentsDelta: '{"x"' } },
      { $case: "toolCallDelta", value: { index: 0, id: undefined, name: undefined, argumentsDelta: ":1}" } },
      { $case: "toolCallDelta", value: { index: 1, id: "mine", name: "b", argumentsDelta: "" } },
      { $case: "finish", value: { reason: FinishReason.FINISH_REASON_TOOL_CALLS, rawReason: "tool_calls", model: "conduit/scripted" } },
    ]);
  });

  it("stops at an error, with its class, and keeps an explicit finish reason otherwise", () => {
    const failing = [
      ...turnSteps(
        turn([
          { action: { $case: "text", value: { chunks: ["a"] } } },
          { action: { $case: "error", value: { errorClass: ScriptedErrorClass.SCRIPTED_ERROR_CLASS_RATE_LIMIT, message: "slow", retryAfterMs: 10 } } },
          { action: { $case: "text", value: { chunks: ["never"] } } },
        ]),
        0,
      ),
    ];
    expect(failing.at(-1)).toEqual({ kind: "fail", error: "rate_limit", message: "slow", retryAfterMs: 10 });
    expect(failing).toHaveLength(2);
    const length = [...turnSteps(turn([], FinishReason.FINISH_REASON_LENGTH), 0)];
    expect(events(length)).toEqual([
      { $case: "finish", value: { reason: FinishReason.FINISH_REASON_LENGTH, rawReason: "length", model: "conduit/scripted" } },
    ]);
  });

  it("reports scripted usage with unknown counts left unset", () => {
    const steps = [...turnSteps(turn([{ action: { $case: "usage", value: { promptTokens: 5, stepCount: 0 } } }]), 0)];
    expect(events(steps)[0]).toEqual({
      $case: "usage",
      value: { promptTokens: 5, completionTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, reasoningTokens: undefined },
    });
  });
});

describe("pickTurn", () => {
  const script = ScriptedModelSettings.fromPartial({ turns: [turn([]), turn([], FinishReason.FINISH_REASON_LENGTH)] });
  const assistant = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_ASSISTANT });
  const user = Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER });

  it("plays one turn per assistant message already in the conversation", () => {
    expect(turnIndexOf([user])).toBe(0);
    expect(turnIndexOf([user, assistant, user])).toBe(1);
    expect(pickTurn(script, 1)?.finishReason).toBe(FinishReason.FINISH_REASON_LENGTH);
  });

  it("has no turn past the last unless the script cycles", () => {
    expect(pickTurn(script, 2)).toBeUndefined();
    expect(pickTurn({ ...script, cycle: true }, 3)?.finishReason).toBe(FinishReason.FINISH_REASON_LENGTH);
  });
});

describe("echoTurn", () => {
  it("answers with the last user message, word by word", () => {
    const t = echoTurn([Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER, content: [{ part: { $case: "text", value: { text: "hi there" } } }] })]);
    const chunks = t.actions[0]?.action?.$case === "text" ? t.actions[0].action.value.chunks : [];
    expect(chunks.join("")).toBe("You said: hi there");
    expect(chunks.length).toBeGreaterThan(1);
  });
});
