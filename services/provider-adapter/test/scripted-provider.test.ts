import { describe, expect, it } from "vitest";
import { Message, MessageRole } from "@conduit/proto/agent/v1";
import { StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { createScriptedProvider } from "../src/providers/scripted/scripted-provider.js";

describe("conduit/scripted provider", () => {
  it("stops a scripted wait as soon as its signal aborts, and streams nothing after it", async () => {
    const provider = createScriptedProvider();
    const controller = new AbortController();
    const request = StreamCompletionRequest.fromPartial({
      model: "conduit/scripted",
      messages: [Message.fromPartial({ role: MessageRole.MESSAGE_ROLE_USER })],
      scripted: {
        turns: [
          {
            actions: [
              { action: { $case: "text", value: { chunks: ["first"] } } },
              { action: { $case: "delayMs", value: 600_000 } },
              { action: { $case: "text", value: { chunks: ["never"] } } },
            ],
          },
        ],
      },
    });
    const seen: string[] = [];
    const consumed = (async () => {
      for await (const { event } of provider.stream(request, { signal: controller.signal })) {
        if (event?.$case === "textDelta") seen.push(event.value.text);
        // The first delta is out: the provider is now inside the ten-minute wait.
        controller.abort(new Error("cancelled by the test"));
      }
    })();
    await expect(consumed).rejects.toThrow(/abort|cancelled/i);
    expect(seen).toEqual(["first"]);
  });
});
