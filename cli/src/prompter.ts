import { createInterface, type Interface } from "node:readline";

export type Answer = { kind: "line"; text: string } | { kind: "eof" } | { kind: "interrupt" };

/**
 * Reads a person's lines one question at a time. Lines typed while nobody asks wait for the
 * next question; Ctrl-C answers the question being asked, or else goes to `onInterrupt`
 * (a run is streaming).
 */
export class Prompter {
  readonly #rl: Interface;
  readonly #typedAhead: string[] = [];
  #closed = false;
  #waiting: ((answer: Answer) => void) | undefined;
  /** Ctrl-C while no question is asked. */
  onInterrupt: (() => void) | undefined;
  readonly #interrupt = () => {
    const waiting = this.#take();
    if (waiting) waiting({ kind: "interrupt" });
    else this.onInterrupt?.();
  };

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    /** Whether a person types at a terminal (readline's raw mode, prompts, echo). */
    readonly terminal: boolean,
  ) {
    this.#rl = createInterface({ input, output, terminal, historySize: terminal ? 100 : 0 });
    this.#rl.on("line", (text) => {
      const waiting = this.#take();
      if (waiting) waiting({ kind: "line", text });
      else this.#typedAhead.push(text);
    });
    this.#rl.on("close", () => {
      this.#closed = true;
      this.#take()?.({ kind: "eof" });
    });
    // On a terminal readline turns Ctrl-C into this event; otherwise it is a signal.
    this.#rl.on("SIGINT", this.#interrupt);
    process.on("SIGINT", this.#interrupt);
  }

  /**
   * Asks a question. On a terminal the prompt is shown and readline echoes what is typed; off
   * a terminal (input from a pipe) a non-empty prompt is written with its answer once it comes,
   * so that the transcript reads the same however fast the input arrives.
   */
  async ask(prompt: string): Promise<Answer> {
    const answer = await this.#next(prompt);
    if (!this.terminal && prompt && answer.kind === "line") this.output.write(`${prompt}${answer.text}\n`);
    return answer;
  }

  #next(prompt: string): Promise<Answer> {
    const typed = this.#typedAhead.shift();
    if (typed !== undefined) return Promise.resolve({ kind: "line", text: typed });
    if (this.#closed) return Promise.resolve({ kind: "eof" });
    if (this.terminal) {
      this.#rl.setPrompt(prompt);
      this.#rl.prompt();
    }
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  close(): void {
    process.off("SIGINT", this.#interrupt);
    this.#rl.close();
  }

  #take() {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    return waiting;
  }
}
