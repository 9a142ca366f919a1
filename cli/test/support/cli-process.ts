import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/conduit.mjs", import.meta.url));
const WAIT_MS = 30_000;

/** Where the CLI connects, given through its environment variables. */
export interface CliTarget {
  address: string;
  storeAddress: string;
  apiKey: string;
}

const cliEnv = (target: CliTarget, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const { CONDUIT_API_KEY: _key, CONDUIT_ADDRESS: _loop, CONDUIT_STORE_ADDRESS: _store, ...inherited } = process.env;
  return {
    ...inherited,
    NO_COLOR: "1",
    CONDUIT_ADDRESS: target.address,
    CONDUIT_STORE_ADDRESS: target.storeAddress,
    CONDUIT_API_KEY: target.apiKey,
    ...extra,
  };
};

/** Without ANSI control sequences and carriage returns, as a person reads it. */
export const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/** A running CLI: what it printed so far, and waits on text appearing in it. */
export class CliProcess {
  stdout = "";
  stderr = "";
  /** stdout and stderr interleaved as they came, unmodified. */
  raw = "";
  readonly exited: Promise<number | null>;
  readonly #listeners = new Set<() => void>();
  #ended = false;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => this.#add(d, "stdout"));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => this.#add(d, "stderr"));
    this.exited = new Promise((resolve) =>
      child.on("close", (code) => {
        this.#ended = true;
        this.#notify();
        resolve(code);
      }),
    );
  }

  /** All output as a person reads it. */
  get output(): string {
    return plain(this.raw);
  }

  /**
   * Resolves when `pattern` matches the output after position `from` (of `output`), with the
   * position just past the match; fails when the process ends first or after a generous timeout.
   */
  waitFor(pattern: RegExp | string, from = 0): Promise<{ match: RegExpExecArray; end: number }> {
    const re = typeof pattern === "string" ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : pattern;
    return new Promise((resolve, reject) => {
      const check = () => {
        const text = this.output.slice(from);
        const match = re.exec(text);
        if (match) return done(undefined, { match, end: from + match.index + match[0].length });
        if (this.#ended) done(new Error(`the CLI ended before printing ${re}; it printed:\n${this.output}`));
      };
      const done = (err: Error | undefined, value?: { match: RegExpExecArray; end: number }) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (err) reject(err);
        else resolve(value!);
      };
      const timer = setTimeout(() => done(new Error(`timed out waiting for ${re}; the CLI printed:\n${this.output}`)), WAIT_MS);
      this.#listeners.add(check);
      check();
    });
  }

  /** Types into the CLI's stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Closes the CLI's stdin (Ctrl-D on a pipe). */
  endInput(): void {
    this.child.stdin!.end();
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  #add(data: string, stream: "stdout" | "stderr") {
    this[stream] += data;
    this.raw += data;
    this.#notify();
  }

  #notify() {
    for (const check of [...this.#listeners]) check();
  }
}

/** Starts `conduit <args>` with pipes for its stdin and output. */
export function startCli(target: CliTarget, args: string[], env: Record<string, string> = {}): CliProcess {
  return new CliProcess(spawn(process.execPath, [BIN, ...args], { env: cliEnv(target, env), stdio: "pipe" }));
}

/** Runs `conduit <args>` to its end. */
export async function runCli(target: CliTarget, args: string[], env: Record<string, string> = {}) {
  const cli = startCli(target, args, env);
  cli.endInput();
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

/**
 * Starts `conduit <args>` in a pseudo-terminal (util-linux `script`), so that it sees a TTY:
 * readline's raw mode, Ctrl-C as a keystroke. Its output comes back as the terminal shows it.
 */
export function startCliInTerminal(target: CliTarget, args: string[]): CliProcess {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = ["exec", quote(process.execPath), quote(BIN), ...args.map(quote)].join(" ");
  const env = cliEnv(target, { TERM: "dumb", SHELL: "/bin/sh" });
  return new CliProcess(spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: "pipe" }));
}
