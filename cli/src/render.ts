import { StopReason, ToolReturnStatus, type RunEvent, type ToolReturn } from "@conduit/proto/agent/v1";
import { callSignature, errorTypeLabel, oneLine, stopReasonLabel } from "./format.js";
import type { Style } from "./style.js";

export interface RenderOptions {
  style: Style;
  /** Print pending approvals (for `send` and `runs follow`; `chat` asks instead). */
  showApprovals: boolean;
}

/** Stop reasons of runs that end COMPLETED (architecture §3); the others fail or cancel the run. */
const COMPLETED = new Set([
  StopReason.STOP_REASON_END_TURN,
  StopReason.STOP_REASON_MAX_STEPS,
  StopReason.STOP_REASON_TOOL_RULE,
  StopReason.STOP_REASON_REQUIRES_APPROVAL,
]);

/** Exit code of a command that followed a run: 0 when it completed, 1 when it failed, was cancelled, or never stopped. */
export const exitCodeFor = (stop: StopReason | undefined) => (stop !== undefined && COMPLETED.has(stop) ? 0 : 1);

/**
 * Renders a run's stream for a person as it arrives: reasoning dimmed, assistant text inline,
 * one compact line per tool call and tool return, a note when the run stops for anything but
 * the end of the turn.
 */
export class RunRenderer {
  /** The inline block being written, whose text arrives in pieces. */
  #block: "reasoning" | "assistant" | undefined;
  #atLineStart = true;
  /** A tool call whose argument deltas are still arriving. */
  #call: { id: string; name: string; args: string } | undefined;
  #stop: StopReason | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: RenderOptions,
  ) {}

  /** The run's stop reason, once its `stop` event came. */
  get stopReason(): StopReason | undefined {
    return this.#stop;
  }

  event(e: RunEvent): void {
    const p = e.payload;
    if (!p) return;
    if (p.$case !== "toolCall") this.#flushCall();
    const { dim, red } = this.options.style;
    switch (p.$case) {
      case "runStarted":
      case "ping":
      case "usage":
        return;
      case "reasoning":
        return this.#inline("reasoning", p.value.content?.value ?? "");
      case "assistant":
        return this.#inline("assistant", p.value.content?.value ?? "");
      case "hiddenReasoning":
        return this.#line(dim("(reasoning hidden)"));
      case "toolCall": {
        const { toolCallId, name, argumentsDelta } = p.value;
        if (this.#call && this.#call.id !== toolCallId) this.#flushCall();
        this.#call ??= { id: toolCallId, name: name ?? "", args: "" };
        this.#call.args += argumentsDelta;
        return;
      }
      case "toolReturn":
        return this.#line(dim(`← ${returnLine(p.value)}`));
      case "approvalRequest":
        if (this.options.showApprovals) {
          for (const c of p.value.toolCalls) this.#line(`? approval needed: ${callSignature(c.name, c.argumentsJson)} [${c.id}]`);
        }
        return;
      case "error":
        return this.#line(red(`error (${errorTypeLabel(p.value.errorType)}): ${p.value.message}`));
      case "stop":
        this.#stop = p.value.stopReason;
        return this.#stopNote(p.value.stopReason);
      default:
        p satisfies never;
    }
  }

  /** Ends the output of a stream: flushes a pending call and ends the last line. */
  end(): void {
    this.#flushCall();
    this.#closeBlock();
  }

  #stopNote(reason: StopReason): void {
    if (reason === StopReason.STOP_REASON_END_TURN) return;
    if (reason === StopReason.STOP_REASON_REQUIRES_APPROVAL) {
      if (this.options.showApprovals) this.#line(this.options.style.dim("run waits for approval"));
      return;
    }
    if (reason === StopReason.STOP_REASON_CANCELLED) return this.#line(this.options.style.dim("run cancelled"));
    const note = `run stopped: ${stopReasonLabel(reason)}`;
    this.#line(COMPLETED.has(reason) ? this.options.style.dim(note) : this.options.style.red(note));
  }

  #inline(block: "reasoning" | "assistant", text: string): void {
    if (this.#block !== block) {
      this.#closeBlock();
      this.#block = block;
      if (block === "reasoning") this.#write(this.options.style.dim("thinking: "));
    }
    this.#write(block === "reasoning" ? this.options.style.dim(text) : text, text);
  }

  #flushCall(): void {
    if (!this.#call) return;
    const { name, args } = this.#call;
    this.#call = undefined;
    this.#line(this.options.style.dim(`→ ${callSignature(name, args)}`));
  }

  #line(text: string): void {
    this.#closeBlock();
    this.#write(`${text}\n`);
  }

  #closeBlock(): void {
    if (!this.#atLineStart) this.#write("\n");
    this.#block = undefined;
  }

  /** `plain` is the text without styling, which tells whether the line ended. */
  #write(text: string, plain = text): void {
    if (!plain) return;
    this.write(text);
    this.#atLineStart = plain.endsWith("\n");
  }
}

/** `ok: first line of the output` or `error: …`. */
function returnLine(ret: ToolReturn): string {
  const status = ret.status === ToolReturnStatus.TOOL_RETURN_STATUS_SUCCESS ? "ok" : "error";
  const text = ret.parts.map((p) => (p.part?.$case === "text" ? p.part.value.text : p.part?.$case === "image" ? "[image]" : "")).join(" ");
  const first = oneLine(text);
  return first ? `${status}: ${first}` : status;
}
