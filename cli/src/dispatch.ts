import { agentsCreate, agentsList, agentsShow } from "./agents.js";
import { Api } from "./api.js";
import { CONNECTION_OPTIONS, helpText, parseCommand, stringFlag, UsageError } from "./args.js";
import { chat } from "./chat.js";
import type { Command, Context, Io } from "./command.js";
import { resolveConnection } from "./config.js";
import { describeError } from "./errors.js";
import { runsCancel, runsFollow, runsList, runsShow } from "./runs.js";
import { send } from "./send.js";
import { styleFor } from "./style.js";

const COMMANDS: Command[] = [agentsCreate, agentsList, agentsShow, chat, send, runsList, runsShow, runsCancel, runsFollow];
const GROUPS = new Set(COMMANDS.flatMap((c) => (c.spec.name.includes(" ") ? [c.spec.name.split(" ")[0]!] : [])));

function overview(group?: string): string {
  const shown = COMMANDS.filter((c) => !group || c.spec.name.startsWith(`${group} `));
  const usages = shown.map((c) => [[c.spec.name, ...c.spec.args].join(" "), c.spec.summary.split(". ")[0]!.replace(/\.$/, "")] as const);
  const width = Math.max(...usages.map(([u]) => u.length));
  return [
    `usage: conduit ${group ?? "<command>"} ${group ? "<command> " : ""}[options]`,
    "",
    ...(group ? [] : ["Talk to Conduit agents and follow their runs, over gRPC.", ""]),
    "commands:",
    ...usages.map(([u, s]) => `  ${u.padEnd(width)}  ${s}`),
    "",
    "Connection (every command): --address (agent-loop), --store-address (message-store), --api-key;",
    "or CONDUIT_ADDRESS, CONDUIT_STORE_ADDRESS, CONDUIT_API_KEY; the key defaults to the one `make run`",
    "wrote to .conduit/dev-api-key (under CONDUIT_DATA_DIR when set).",
    "",
    `Run \`conduit ${group ? `${group} ` : ""}<command> --help\` for a command's options.`,
    "",
  ].join("\n");
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const err = (text: string) => void io.stderr.write(text);
  const { leading, rest } = splitLeadingOptions(argv);
  const [first, second] = rest;
  if (first === undefined) {
    err(overview());
    return 2;
  }
  if (first === "help" || isHelp(first)) {
    io.stdout.write(overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.spec.name === first);
  if (!command) {
    if (GROUPS.has(first) && (second === undefined || isHelp(second))) {
      if (second) io.stdout.write(overview(first));
      else err(overview(first));
      return second ? 0 : 2;
    }
    const unknown = GROUPS.has(first) ? `${first} ${second}` : first;
    err(`conduit: unknown command ${JSON.stringify(unknown)} (see \`conduit --help\`)\n`);
    return 2;
  }
  const words = command.spec.name.split(" ").length;
  try {
    return await runCommand(command, [...rest.slice(words), ...leading], io);
  } catch (error) {
    if (error instanceof UsageError) {
      const see = error.command ? ` (see \`conduit ${error.command} --help\`)` : "";
      err(`conduit: ${error.message}${see}\n`);
      return 2;
    }
    err(`conduit: ${describeError(error)}\n`);
    return 1;
  }
}

async function runCommand(command: Command, argv: string[], io: Io): Promise<number> {
  const args = parseCommand(command.spec, argv);
  if (args.help) {
    io.stdout.write(helpText(command.spec));
    return 0;
  }
  const flags = { address: stringFlag(args, "address"), storeAddress: stringFlag(args, "store-address"), apiKey: stringFlag(args, "api-key") };
  // Made on first use, so that a command reports bad usage before a missing key.
  let api: Api | undefined;
  const ctx: Context = {
    io,
    get api() {
      return (api ??= new Api(resolveConnection(flags, io.env, io.cwd)));
    },
    style: styleFor(io.stdout.isTTY, io.env),
    out: (text) => void io.stdout.write(text),
    err: (text) => void io.stderr.write(text),
  };
  try {
    return await command.run(ctx, args);
  } finally {
    api?.close();
  }
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

/** Connection flags may come before the command (`conduit --address h:p agents list`); they are moved after it. */
function splitLeadingOptions(argv: string[]): { leading: string[]; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-") && !isHelp(argv[i])) {
    const arg = argv[i]!;
    const name = arg.replace(/^--?/, "").split("=")[0]!;
    const takesValue = CONNECTION_OPTIONS[name]?.type === "string" && !arg.includes("=");
    leading.push(...argv.slice(i, takesValue ? i + 2 : i + 1));
    i += takesValue ? 2 : 1;
  }
  return { leading, rest: argv.slice(i) };
}
