// `make run`: starts the three services as separate processes on their default ports, in
// embedded mode, prints where they listen and how to call them, and stops them all on Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SERVICES = [
  { name: "message-store", port: 50052, api: "conduit.store.v1.MessageStoreService" },
  { name: "provider-adapter", port: 50053, api: "conduit.provider.v1.ProviderAdapterService" },
  { name: "agent-loop", port: 50051, api: "conduit.agent.v1.AgentLoopService" },
] as const;
const STOP_TIMEOUT_MS = 15_000;
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);

type Running = { name: string; child: ChildProcess; exited: Promise<number | null> };

function start(name: string, onServing: (address: string) => void): Running {
  const child = spawn(process.execPath, ["--enable-source-maps", "--import", "tsx", `services/${name}/src/main.ts`], {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: Ctrl-C reaches only this launcher, which then stops each service
    // once with SIGTERM (a second signal would make a service skip its graceful drain).
    detached: true,
  });
  const prefix = paint(36, name.padEnd(16));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      const entry = parseJson(line);
      if (entry?.msg === "serving" && typeof entry.address === "string") onServing(entry.address);
      process.stdout.write(`${prefix} ${entry ? formatEntry(entry) : line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, exited };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `info  serving address=127.0.0.1:50051` instead of a JSON line. */
function formatEntry({ level, msg, time: _t, service: _s, pid: _p, ...rest }: Record<string, unknown>): string {
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const label = String(level ?? "").padEnd(5);
  const coloured = level === "error" || level === "fatal" ? paint(31, label) : level === "warn" ? paint(33, label) : paint(2, label);
  return `${coloured} ${String(msg ?? "")} ${paint(2, fields.join(" "))}`.trimEnd();
}

function banner(addresses: Map<string, string>): string {
  const rows = SERVICES.map((s) => `  ${s.name.padEnd(18)}${(addresses.get(s.name) ?? "").padEnd(18)}${s.api}`);
  const keyFile = process.env.CONDUIT_DEV_KEY_FILE!;
  const key = existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "(none: see the message-store log)";
  const shownFile = keyFile.startsWith(root) ? keyFile.slice(root.length) : keyFile;
  return [
    "",
    paint(1, "Conduit is running") + " (embedded mode: PGlite under .conduit/, in-process bus)",
    "",
    ...rows,
    "",
    `Your API key (kept in ${shownFile}): ${key}`,
    "",
    "Check a service's health (grpc.health.v1):",
    `  node scripts/healthcheck.mjs ${addresses.get("agent-loop")}`,
    "Create an agent with buf curl, using the schema in proto/:",
    `  npx buf curl --protocol grpc --http2-prior-knowledge --schema proto \\`,
    `    -H "authorization: Bearer $(cat ${shownFile})" -d '{"agent":{"name":"demo"}}' \\`,
    `    http://${addresses.get("message-store")}/conduit.store.v1.MessageStoreService/CreateAgent`,
    `OpenAI-compatible chat with an agent (model = the agent id): POST http://127.0.0.1:${process.env.CONDUIT_HTTP_PORT}/v1/chat/completions`,
    "Every service also serves gRPC server reflection. Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

// Provider keys and other settings may live in a git-ignored .env beside this README.
if (existsSync(`${root}.env`)) process.loadEnvFile(`${root}.env`);

/** A secret kept in the data directory (mode 0600), made on first use. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  writeFileSync(file, `${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

const dataDir = resolve(root, process.env.CONDUIT_DATA_DIR ?? ".conduit");
mkdirSync(dataDir, { recursive: true });
const devKeyFile = join(dataDir, "dev-api-key");
// Explicit settings win; otherwise an admin credential kept across runs, an internal one per
// run (only the services use it), and a development API key made on first start.
process.env.CONDUIT_DATA_DIR = dataDir;
process.env.CONDUIT_ADMIN_KEY ||= persistentSecret(join(dataDir, "admin-key"));
process.env.CONDUIT_INTERNAL_KEY ||= randomBytes(24).toString("hex");
process.env.CONDUIT_DEV_KEY_FILE ||= devKeyFile;
// agent-loop's OpenAI-compatible endpoint, for OpenAI's SDKs pointed at an agent.
process.env.CONDUIT_HTTP_PORT ||= "50054";

const addresses = new Map<string, string>();
const running = SERVICES.map((s) =>
  start(s.name, (address) => {
    addresses.set(s.name, address);
    if (addresses.size === SERVICES.length) process.stdout.write(`${banner(addresses)}\n`);
  }),
);

let stopping = false;
async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  for (const r of running) if (r.child.exitCode === null) r.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill("SIGKILL");
  }, STOP_TIMEOUT_MS);
  await Promise.all(running.map((r) => r.exited));
  clearTimeout(timer);
  process.exit(exitCode);
}

// Last resort if this launcher dies abruptly: no service outlives it.
process.on("exit", () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill("SIGKILL");
});
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
for (const r of running) {
  void r.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`${r.name} exited (code ${code}); stopping the others\n`);
    void stopAll(1);
  });
}
