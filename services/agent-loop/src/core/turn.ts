import {
  FinishReason,
  HiddenReasoningState,
  MessageRole,
  ReasoningSource,
  type ContentPart,
  type Message,
  type RunEvent,
  type ToolCall,
} from "@conduit/proto/agent/v1";
import type { CompletionEvent, CompletionUsage } from "@conduit/proto/provider/v1";
import { ArgumentStream } from "./argument-stream.js";
import { blockOtid } from "./ids.js";

/** The message payloads of RunEvent: what a turn streams. */
export type MessagePayload = Extract<
  NonNullable<RunEvent["payload"]>,
  { $case: "reasoning" | "hiddenReasoning" | "assistant" | "toolCall" | "toolReturn" | "approvalRequest" }
>;

/** One streamed item of a message: its payload and the otid of its content block. */
export interface Piece {
  otid: string;
  payload: MessagePayload;
}

/** How an agent type shows a tool call while its arguments stream. */
export interface CallPresentation {
  /** Top-level string arguments streamed on their own: `thinking` as reasoning, `message` as assistant text. */
  extracted(toolName: string): { thinking: boolean; message: boolean };
  /** Whether the call itself streams as `tool_call` events. */
  showsCall(toolName: string): boolean;
}

interface CallState {
  call: ToolCall;
  args: string[];
  extractor: ArgumentStream | undefined;
  shown: boolean;
}

type Block =
  | { kind: "text"; text: string[]; signature?: string }
  | { kind: "reasoning"; text: string[]; signature?: string }
  | { kind: "redacted"; data: string }
  | { kind: "summarized"; id: string; summaries: string[]; encryptedContent?: string }
  | { kind: "call"; index: number }
  | { kind: "thinking"; index: number }
  | { kind: "sent"; index: number };

/**
 * One model call being assembled into the step's assistant message: it turns provider events
 * into streamed pieces (one content block per kind of content, each with its own otid) and keeps
 * everything needed to persist the same message afterwards.
 */
export class AssistantTurn {
  private readonly blocks: Block[] = [];
  private readonly calls = new Map<number, CallState>();
  private readonly keyed = new Map<string, number>();
  private usageSeen: CompletionUsage | undefined;
  private finishSeen: { reason: FinishReason; raw: string; model: string } | undefined;
  private current: number | undefined;

  constructor(
    readonly messageId: string,
    private readonly presentation: CallPresentation,
    private readonly newToolCallId: () => string,
  ) {}

  /** Takes one provider event; returns what to stream for it (deltas). */
  push(event: CompletionEvent): Piece[] {
    const e = event.event;
    switch (e?.$case) {
      case "textDelta":
        return this.extendText("text", e.value.text, e.value.signature);
      case "reasoningDelta":
        return this.extendText("reasoning", e.value.text, e.value.signature);
      case "redactedReasoning":
        return this.open({ kind: "redacted", data: e.value.data }, redactedPayload(e.value.data));
      case "summarizedReasoning": {
        const { id, summaries, encryptedContent } = e.value;
        const block: Block = { kind: "summarized", id, summaries, ...(encryptedContent ? { encryptedContent } : {}) };
        return this.open(block, reasoningPayload(summaries.join("\n\n"), undefined, "delta"));
      }
      case "toolCallDelta":
        return this.extendCall(e.value.index, e.value.id, e.value.name, e.value.argumentsDelta, e.value.signature);
      case "usage":
        this.usageSeen = e.value;
        return [];
      case "finish":
        this.finishSeen = { reason: e.value.reason, raw: e.value.rawReason, model: e.value.model };
        return [];
      case undefined:
        return [];
      default:
        return assertNever(e);
    }
  }

  get usage(): CompletionUsage | undefined {
    return this.usageSeen;
  }

  get finish() {
    return this.finishSeen ?? { reason: FinishReason.FINISH_REASON_UNSPECIFIED, raw: "", model: "" };
  }

  get toolCalls(): ToolCall[] {
    return [...this.calls.keys()].sort((a, b) => a - b).map((i) => this.callAt(i).call);
  }

  /** True once the model produced anything the caller sees or the history keeps. */
  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** The whole message, for step streaming: one piece per content block. */
  wholePieces(): Piece[] {
    return this.blocks.flatMap((block, i): Piece[] => {
      const otid = blockOtid(this.messageId, i);
      switch (block.kind) {
        case "text":
          return [{ otid, payload: assistantPayload(block.text.join(""), "text") }];
        case "reasoning":
          return [{ otid, payload: reasoningPayload(block.text.join(""), block.signature, "text") }];
        case "redacted":
          return [{ otid, payload: redactedPayload(block.data) }];
        case "summarized":
          return [{ otid, payload: reasoningPayload(block.summaries.join("\n\n"), undefined, "text") }];
        case "call": {
          const { call } = this.callAt(block.index);
          return [{ otid, payload: callPayload(call.id, call.name, call.argumentsJson) }];
        }
        case "thinking":
          return [{ otid, payload: reasoningPayload(this.extracted(block.index, "thinking"), undefined, "text", false) }];
        case "sent":
          return [{ otid, payload: assistantPayload(this.extracted(block.index, "message"), "text") }];
        default:
          return assertNever(block);
      }
    });
  }

  /** The assistant message as persisted: content blocks in order, then every tool call. */
  message(base: Pick<Message, "agentId" | "conversationId" | "runId" | "stepId" | "model">): Message {
    const content = this.blocks.flatMap((b) => this.partOf(b));
    return {
      ...emptyMessage(),
      ...base,
      id: this.messageId,
      role: MessageRole.MESSAGE_ROLE_ASSISTANT,
      content,
      toolCalls: this.toolCalls,
      otid: blockOtid(this.messageId, 0),
    };
  }

  private partOf(block: Block): ContentPart[] {
    switch (block.kind) {
      case "text":
        return [{ part: { $case: "text", value: { text: block.text.join(""), signature: block.signature } } }];
      case "reasoning":
        return [reasoningPart(block.text.join(""), block.signature, true)];
      case "redacted":
        return [{ part: { $case: "redactedReasoning", value: { data: block.data } } }];
      case "summarized":
        return [{ part: { $case: "summarizedReasoning", value: { id: block.id, summaries: block.summaries, encryptedContent: block.encryptedContent } } }];
      case "thinking":
        return [reasoningPart(this.extracted(block.index, "thinking"), undefined, false)];
      case "call":
      case "sent":
        return [];
      default:
        return assertNever(block);
    }
  }

  private extendText(kind: "text" | "reasoning", text: string, signature: string | undefined): Piece[] {
    const last = this.current === undefined ? undefined : this.blocks[this.current];
    let index = this.current;
    if (last?.kind !== kind || last.signature !== undefined) {
      index = this.blocks.push({ kind, text: [] }) - 1;
      this.current = index;
    }
    const block = this.blocks[index!] as Extract<Block, { kind: "text" | "reasoning" }>;
    block.text.push(text);
    if (signature) block.signature = signature;
    if (text === "" && !signature) return [];
    const otid = blockOtid(this.messageId, index!);
    const payload = kind === "text" ? assistantPayload(text, "delta") : reasoningPayload(text, signature, "delta");
    return [{ otid, payload }];
  }

  private open(block: Block, payload: MessagePayload): Piece[] {
    const index = this.blocks.push(block) - 1;
    this.current = undefined;
    return [{ otid: blockOtid(this.messageId, index), payload }];
  }

  private extendCall(index: number, id: string | undefined, name: string | undefined, delta: string, signature?: string): Piece[] {
    this.current = undefined;
    let state = this.calls.get(index);
    const first = state === undefined;
    if (!state) {
      const toolName = name ?? "";
      const want = this.presentation.extracted(toolName);
      const keys = [...(want.thinking ? ["thinking"] : []), ...(want.message ? ["message"] : [])];
      state = {
        call: { id: id || this.newToolCallId(), name: toolName, argumentsJson: "", signature },
        args: [],
        extractor: keys.length > 0 ? new ArgumentStream(keys) : undefined,
        shown: this.presentation.showsCall(toolName),
      };
      this.calls.set(index, state);
    }
    if (signature) state.call.signature = signature;
    state.args.push(delta);
    const pieces: Piece[] = [];
    for (const { key, delta: text } of state.extractor?.push(delta) ?? []) {
      const kind = key === "thinking" ? "thinking" : "sent";
      const otid = this.keyedBlock(`${kind}:${index}`, { kind, index });
      pieces.push({ otid, payload: kind === "thinking" ? reasoningPayload(text, undefined, "delta", false) : assistantPayload(text, "delta") });
    }
    if (state.shown && (first || delta !== "")) {
      const otid = this.keyedBlock(`call:${index}`, { kind: "call", index });
      pieces.push({ otid, payload: callPayload(state.call.id, first ? state.call.name : undefined, delta) });
    }
    return pieces;
  }

  private keyedBlock(key: string, block: Block): string {
    let index = this.keyed.get(key);
    if (index === undefined) {
      index = this.blocks.push(block) - 1;
      this.keyed.set(key, index);
    }
    return blockOtid(this.messageId, index);
  }

  /** A call with its arguments joined; joined once on read, so 1-byte deltas stay linear. */
  private callAt(index: number): CallState {
    const state = this.calls.get(index);
    if (!state) throw new Error(`no tool call at index ${index}`);
    if (state.args.length > 1) state.args.splice(0, state.args.length, state.args.join(""));
    state.call.argumentsJson = state.args[0] ?? "";
    return state;
  }

  private extracted(index: number, key: string): string {
    return this.callAt(index).extractor?.valueOf(key) ?? "";
  }
}

const assistantPayload = (text: string, as: "delta" | "text"): MessagePayload => ({
  $case: "assistant",
  value: { content: as === "delta" ? { $case: "delta", value: text } : { $case: "text", value: text } },
});

function reasoningPayload(text: string, signature: string | undefined, as: "delta" | "text", native = true): MessagePayload {
  return {
    $case: "reasoning",
    value: {
      content: as === "delta" ? { $case: "delta", value: text } : { $case: "text", value: text },
      signature,
      source: native ? ReasoningSource.REASONING_SOURCE_NATIVE : ReasoningSource.REASONING_SOURCE_INNER_THOUGHTS,
    },
  };
}

const redactedPayload = (data: string): MessagePayload => ({
  $case: "hiddenReasoning",
  value: { state: HiddenReasoningState.HIDDEN_REASONING_STATE_REDACTED, data },
});

const callPayload = (toolCallId: string, name: string | undefined, argumentsDelta: string): MessagePayload => ({
  $case: "toolCall",
  value: { toolCallId, name, argumentsDelta },
});

const reasoningPart = (text: string, signature: string | undefined, isNative: boolean): ContentPart => ({
  part: { $case: "reasoning", value: { text, signature, isNative } },
});

export function emptyMessage(): Message {
  return {
    id: "",
    agentId: "",
    role: 0,
    content: [],
    toolCalls: [],
    toolReturns: [],
    approvals: [],
    otid: "",
    sequenceId: "0",
    createdAt: undefined,
    isErr: false,
  };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
