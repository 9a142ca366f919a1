import { parseArgs } from "node:util";

/** Bad usage: a missing argument, an unknown flag, a bad value. Exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at, e.g. `agents create`. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  /** Shown in help, e.g. `--name N`. */
  label?: string;
  description: string;
}

export interface CommandSpec {
  /** `agents create`, `send`, … */
  name: string;
  /** Positional arguments, e.g. `<agent> <text>`. */
  args: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra lines of help below the options. */
  notes?: string[];
}

/** Connection flags every command takes. */
export const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  address: { type: "string", label: "--address HOST:PORT", description: "agent-loop address (env CONDUIT_ADDRESS; default 127.0.0.1:50051)" },
  "store-address": {
    type: "string",
    label: "--store-address HOST:PORT",
    description: "message-store address (env CONDUIT_STORE_ADDRESS; default 127.0.0.1:50052)",
  },
  "api-key": {
    type: "string",
    label: "--api-key KEY",
    description: "API key (env CONDUIT_API_KEY; default: the key `make run` wrote to .conduit/dev-api-key)",
  },
  help: { type: "boolean", label: "-h, --help", description: "show this help" },
};

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses a command's arguments (after its name); unknown flags and a wrong count of positionals are UsageErrors. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options = { ...CONNECTION_OPTIONS, ...spec.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, name === "help" ? { type: o.type, short: "h" } : { type: o.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(cleanParseError(err), spec.name);
  }
  const help = parsed.values.help === true;
  if (!help && parsed.positionals.length !== spec.args.length) {
    const problem =
      parsed.positionals.length < spec.args.length
        ? `missing ${spec.args.slice(parsed.positionals.length).join(" ")}`
        : `unexpected argument ${JSON.stringify(parsed.positionals[spec.args.length])}`;
    throw new UsageError(problem, spec.name);
  }
  return { values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals, help };
}

/** A string flag's value, or undefined. */
export const stringFlag = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
};

export const booleanFlag = (args: ParsedArgs, name: string): boolean => args.values[name] === true;

/** A non-negative integer flag, or undefined. */
export function integerFlag(args: ParsedArgs, name: string, command: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`, command);
  return Number(v);
}

export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...CONNECTION_OPTIONS };
  const labels = Object.entries(options).map(([name, o]) => [o.label ?? `--${name}`, o.description] as const);
  const width = Math.max(...labels.map(([l]) => l.length));
  return [
    `usage: conduit ${[spec.name, ...spec.args].join(" ")} [options]`,
    "",
    spec.summary,
    "",
    "options:",
    ...labels.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`),
    ...(spec.notes?.length ? ["", ...spec.notes] : []),
    "",
  ].join("\n");
}

// node:util's messages end with advice about `--` that does not fit a CLI user.
function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split(". To specify")[0]!
    .replace(/^Unknown option '(.*)'$/, "unknown option $1")
    .replace(/^Option '(--[\w-]+)(?: <value>)?' argument missing$/, "$1 needs a value");
}
