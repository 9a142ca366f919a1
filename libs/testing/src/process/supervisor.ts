import { spawn, type ChildProcess } from "node:child_process";
import { onProcessExit } from "../exit-cleanup.js";
import { ProcessOutput, type LogLine } from "./output.js";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  /** Used in error messages. */
  name: string;
  command: string;
  args: readonly string[];
  /** The child's complete environment; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user/group (root only), e.g. Postgres, which refuses to run as root. */
  uid?: number;
  gid?: number;
  /** Sent if the test run exits with the child still alive; default SIGKILL. */
  exitSignal?: NodeJS.Signals;
}

export interface StartProcessOptions extends ProcessSpec {
  /** True for the JSON stdout line that says the process is ready. */
  ready: (line: LogLine) => boolean;
  /** Default 20 s. */
  timeoutMs?: number;
}

export interface SupervisedProcess {
  readonly pid: number;
  readonly name: string;
  /** Every JSON line the process wrote on stdout so far (non-JSON lines are skipped). */
  readonly lines: readonly LogLine[];
  /** The recent raw output, stdout and stderr interleaved. */
  output(): string;
  /** First JSON line at index >= `since` matching `pred`, waiting for it if needed. */
  waitForLine(pred: (line: LogLine) => boolean, timeoutMs?: number, since?: number): Promise<LogLine>;
  /** First raw line (stdout or stderr) matching `pred`: a recent one, or the next to come. */
  waitForOutput(pred: (raw: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends `signal`, then SIGKILL if the process is still alive after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
  kill(): Promise<ExitStatus>;
  readonly exited: Promise<ExitStatus>;
}

const TAIL_LINES = 50;

/** Spawns a child whose output is followed; does not wait for readiness. */
export async function spawnSupervised(spec: ProcessSpec): Promise<SupervisedProcess> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: false,
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
  const output = new ProcessOutput();
  output.follow(child.stdout!, true);
  output.follow(child.stderr!, false);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
  } catch (error) {
    throw new Error(`could not start ${spec.name} (${spec.command}): ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A later 'error' (e.g. a failed kill) must not crash the test run.
  child.on("error", () => {});
  return new SupervisedChild(spec.name, child, output, spec.exitSignal ?? "SIGKILL");
}

/** Spawns a process and resolves once it logs the line `ready` accepts. */
export async function startProcess(options: StartProcessOptions): Promise<SupervisedProcess> {
  const proc = await spawnSupervised(options);
  try {
    await proc.waitForLine(options.ready, options.timeoutMs ?? 20_000);
    return proc;
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

class SupervisedChild implements SupervisedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly out: ProcessOutput,
    exitSignal: NodeJS.Signals,
  ) {
    this.pid = child.pid!;
    const forget = onProcessExit(() => child.kill(exitSignal));
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        forget();
        this.status = { code, signal };
        resolve(this.status);
      });
    });
    // 'close' comes after 'exit' and after the last line has been read, so a
    // failure message carries both the exit status and the final output.
    child.once("close", () => out.end());
  }

  get lines(): readonly LogLine[] {
    return this.out.lines;
  }

  output(): string {
    return this.out.tail(Number.MAX_SAFE_INTEGER);
  }

  waitForLine(pred: (line: LogLine) => boolean, timeoutMs = 10_000, since = 0): Promise<LogLine> {
    const seen = this.out.lines.slice(since).find(pred);
    if (seen) return Promise.resolve(seen);
    const match = (_raw: string, json: LogLine | undefined) => (json && pred(json) ? json : undefined);
    return this.out.next(match, timeoutMs, (reason) => this.failure(reason, "log line", timeoutMs));
  }

  waitForOutput(pred: (raw: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const seen = this.out.recentLines().find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    const match = (raw: string) => (pred(raw) ? raw : undefined);
    return this.out.next(match, timeoutMs, (reason) => this.failure(reason, "output line", timeoutMs));
  }

  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill(signal);
    const escalation = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalation);
    }
  }

  kill(): Promise<ExitStatus> {
    if (!this.status) this.child.kill("SIGKILL");
    return this.exited;
  }

  private failure(reason: "ended" | "timeout", what: string, timeoutMs: number): Error {
    const why =
      reason === "timeout"
        ? `printed no matching ${what} within ${timeoutMs} ms`
        : `exited (${describe(this.status)}) before printing a matching ${what}`;
    return new Error(`${this.name} (pid ${this.pid}) ${why}\n--- last ${TAIL_LINES} lines ---\n${this.out.tail(TAIL_LINES)}`);
  }
}

function describe(status: ExitStatus | undefined): string {
  if (!status) return "output closed";
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}
