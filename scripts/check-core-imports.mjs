#!/usr/bin/env node
// Keeps every `core/` folder pure: no I/O modules, no frameworks. Core code reaches the world
// only through the small interfaces it owns (see the design notes on a pure core).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const FORBIDDEN = [
  /^node:/,
  /^(fs|path|os|net|http|https|http2|child_process|crypto|stream|events|timers|dns|tls|worker_threads)(\/|$)/,
  /^typeorm/,
  /^pg$/,
  /^@electric-sql\//,
  /^@nats-io\//,
  /^@grpc\//,
  /^openai/,
  /^@anthropic-ai\//,
  /^@google\/genai/,
  /^pino/,
];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "gen" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

const problems = [];
for (const path of files(root)) {
  if (!/[/\\]src[/\\](.+[/\\])?core[/\\]/.test(relative(root, path))) continue;
  for (const match of readFileSync(path, "utf8").matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (FORBIDDEN.some((re) => re.test(spec))) problems.push(`${relative(root, path)}: imports "${spec}"`);
  }
}
if (problems.length) {
  console.error(`core/ must stay free of I/O and frameworks:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("core imports: ok");
