// `npm run bench -- <name> [flags]`: runs bench/<name>.ts, which starts what it needs and writes
// bench/results/<name>.json. Benchmarks live here, not in timed tests: the machine is shared.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [flags]`);
  process.exit(2);
}
const bench = (await import(`./${name}.bench.ts`)) as { run(args: string[]): Promise<void> };
await bench.run(args);
