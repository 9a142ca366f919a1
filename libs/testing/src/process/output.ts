import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** One structured (JSON) log line, as pino writes it. */
export type LogLine = Record<string, unknown>;

/** Which raw lines are kept for error messages; parsed JSON lines are all kept. */
const RECENT_RAW_LINES = 200;

type Listener = (raw: string | undefined, json: LogLine | undefined) => void;

/** What a child process printed, and a way to wait for a line that has not come yet. */
export class ProcessOutput {
  /** Every JSON object line the child wrote on stdout, in order. */
  readonly lines: LogLine[] = [];
  private readonly recent: string[] = [];
  private readonly listeners = new Set<Listener>();
  private ended = false;

  /** Reads `stream` line by line; JSON objects are parsed only where `structured`. */
  follow(stream: Readable, structured: boolean): void {
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    reader.on("line", (raw) => this.add(raw, structured ? parseLogLine(raw) : undefined));
  }

  /** No more output will come: fails every pending wait. */
  end(): void {
    this.ended = true;
    for (const listener of [...this.listeners]) listener(undefined, undefined);
  }

  /** The last `count` raw lines from stdout and stderr. */
  tail(count = 50): string {
    return this.recent.slice(-count).join("\n");
  }

  /** Raw lines still held (the most recent ones). */
  recentLines(): readonly string[] {
    return this.recent;
  }

  /**
   * Resolves with the first non-undefined `match(raw, json)` over lines that
   * arrive from now on. Rejects with `failure("ended")` once `end()` is
   * called, or `failure("timeout")` after `timeoutMs`.
   */
  next<T>(
    match: (raw: string, json: LogLine | undefined) => T | undefined,
    timeoutMs: number,
    failure: (reason: "ended" | "timeout") => Error,
  ): Promise<T> {
    if (this.ended) return Promise.reject(failure("ended"));
    return new Promise<T>((resolve, reject) => {
      const settle = (error: Error | undefined, value?: T) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(value as T);
      };
      const listener: Listener = (raw, json) => {
        if (raw === undefined) return settle(failure("ended"));
        try {
          const found = match(raw, json);
          if (found !== undefined) settle(undefined, found);
        } catch (error) {
          settle(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const timer = setTimeout(() => settle(failure("timeout")), timeoutMs);
      this.listeners.add(listener);
    });
  }

  private add(raw: string, json: LogLine | undefined): void {
    this.recent.push(raw);
    if (this.recent.length > RECENT_RAW_LINES) this.recent.shift();
    if (json) this.lines.push(json);
    for (const listener of [...this.listeners]) listener(raw, json);
  }
}

function parseLogLine(raw: string): LogLine | undefined {
  if (!raw.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as LogLine)
      : undefined;
  } catch {
    return undefined;
  }
}
