#!/usr/bin/env node
// Production build: one ESM bundle per service at services/<svc>/dist/main.js
// (`node scripts/build.mjs [service...]`, all services by default). The workspace
// packages (@conduit/*) are TypeScript source, so they go into the bundle; every npm package
// stays external and is installed beside it (the image runs `npm ci --omit=dev -w <service>`),
// which keeps wasm assets (PGlite) and packages that read their own files (.proto) working.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

const workspaceDirs = ["libs", "services"].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, group, d.name, "package.json")))
    .map((d) => join(group, d.name)),
);
const manifests = new Map(
  workspaceDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    return [manifest.name, manifest];
  }),
);

/**
 * The npm packages a service may import: its own dependencies and those of the workspace
 * packages it depends on. The image installs exactly these (`npm ci --omit=dev -w <service>`),
 * so an import outside them would build here and fail at start-up there.
 */
function runtimeDependencies(name, found = new Set(), seen = new Set()) {
  if (seen.has(name)) return found;
  seen.add(name);
  for (const dep of Object.keys(manifests.get(name)?.dependencies ?? {})) {
    if (manifests.has(dep)) runtimeDependencies(dep, found, seen);
    else found.add(dep);
  }
  return found;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** Bundles the workspace source; leaves every npm package external (and declared). */
const externalPackages = (service, allowed) => ({
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
      if (isBuiltin(path) || manifests.has(packageName(path))) return undefined;
      if (allowed.has(packageName(path))) return { path, external: true };
      return {
        errors: [
          {
            text:
              `"${packageName(path)}" is imported by ${relative(root, importer)} but is not a dependency of ` +
              `${service} or of the workspace packages it uses, so its image would not install it`,
          },
        ],
      };
    });
  },
});

// ESM has no require/__filename/__dirname; some packages still reach for them.
const banner = [
  `import { createRequire as __conduitCreateRequire } from "node:module";`,
  `import { fileURLToPath as __conduitFileURLToPath } from "node:url";`,
  `import { dirname as __conduitDirname } from "node:path";`,
  `const require = __conduitCreateRequire(import.meta.url);`,
  `const __filename = __conduitFileURLToPath(import.meta.url);`,
  `const __dirname = __conduitDirname(__filename);`,
].join("\n");

if (!existsSync(join(root, "libs/proto/src/gen"))) {
  console.error("build: libs/proto/src/gen is missing; run `node scripts/gen-proto.mjs` first");
  process.exit(1);
}

const allServices = workspaceDirs.filter((dir) => dir.startsWith("services/") && existsSync(join(root, dir, "src/main.ts")));
const requested = process.argv.slice(2).map((name) => `services/${name}`);
const unknown = requested.filter((dir) => !allServices.includes(dir));
if (unknown.length > 0) {
  console.error(`build: no such service: ${unknown.join(", ")} (have ${allServices.join(", ")})`);
  process.exit(1);
}
const services = requested.length > 0 ? requested : allServices;

const results = await Promise.allSettled(
  services.map(async (dir) => {
    const outfile = join(root, dir, "dist/main.js");
    const { name } = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const externals = externalPackages(name, runtimeDependencies(name));
    // The image's HEALTHCHECK runs scripts/healthcheck.mjs beside the bundle: its imports
    // must be installed there too.
    await build({
      absWorkingDir: root,
      entryPoints: [join(root, "scripts/healthcheck.mjs")],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      plugins: [externals],
      logLevel: "silent",
    });
    rmSync(join(root, dir, "dist"), { recursive: true, force: true });
    await build({
      absWorkingDir: root,
      entryPoints: [join(root, dir, "src/main.ts")],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      sourcemap: true,
      // Honours experimentalDecorators for TypeORM entities. esbuild emits no decorator
      // metadata, which is fine because every column states its type explicitly.
      tsconfig: join(root, "tsconfig.json"),
      plugins: [externals],
      banner: { js: banner },
      logLevel: "silent",
    });
    return outfile;
  }),
);

let failed = false;
for (const [i, result] of results.entries()) {
  const dir = services[i];
  if (result.status === "fulfilled") {
    const kb = (statSync(result.value).size / 1024).toFixed(1);
    console.log(`build: ${dir}/dist/main.js ${kb} KiB`);
  } else {
    failed = true;
    const messages = result.reason?.errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ` : "") + e.text);
    console.error(`build: ${dir} failed:\n  ${(messages ?? [String(result.reason)]).join("\n  ")}`);
  }
}
if (failed || services.length === 0) process.exit(1);
