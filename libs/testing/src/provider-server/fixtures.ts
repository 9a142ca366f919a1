import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixturesFolderOf, type ProviderRoute } from "./routes.js";

/** Recorded provider streams (see its README), one folder per route, named like the route (see fixturesFolderOf). */
export const fixturesDir = fileURLToPath(new URL("../../fixtures/recorded", import.meta.url));

/** The recorded files of one route, sorted by name. */
export function listFixtures(route: ProviderRoute): string[] {
  return readdirSync(join(fixturesDir, fixturesFolderOf(route)))
    .filter((name) => name.endsWith(".txt"))
    .sort();
}

/** The chunks of one recorded file: its non-empty lines, each one JSON payload, bytes unchanged. */
export function fixtureChunks(route: ProviderRoute, file: string): string[] {
  return readFileSync(join(fixturesDir, fixturesFolderOf(route), file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}
