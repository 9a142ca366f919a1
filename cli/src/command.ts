import type { Api } from "./api.js";
import type { CommandSpec, ParsedArgs } from "./args.js";
import type { Style } from "./style.js";

/** The process around a command, passed in so that tests can run commands in memory. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Context {
  io: Io;
  api: Api;
  /** Styling for stdout. */
  style: Style;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  spec: CommandSpec;
  /** Returns the exit code. */
  run(ctx: Context, args: ParsedArgs): Promise<number>;
}

/** Prints one JSON document per line. */
export const printJson = (ctx: Context, value: unknown) => ctx.out(`${JSON.stringify(value)}\n`);
