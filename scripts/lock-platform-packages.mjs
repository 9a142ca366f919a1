#!/usr/bin/env node
// Keeps package-lock.json complete for every platform buf ships a binary for. When npm cannot
// read one of these optional packages at install time it leaves it out of the lock, and then
// `npm ci` refuses the lock on every machine. Run after `npm install` if `npm ci` complains.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "darwin-arm64": ["darwin", "arm64"],
  "darwin-x64": ["darwin", "x64"],
  "linux-aarch64": ["linux", "arm64"],
  "linux-armv7": ["linux", "arm"],
  "linux-x64": ["linux", "x64"],
  "win32-arm64": ["win32", "arm64"],
  "win32-x64": ["win32", "x64"],
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const buf = lock.packages["node_modules/@bufbuild/buf"];
let added = 0;
for (const [suffix, [os, cpu]] of Object.entries(PLATFORMS)) {
  const key = `node_modules/@bufbuild/buf-${suffix}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = { version: buf.version, cpu: [cpu], dev: true, license: "Apache-2.0", optional: true, os: [os], engines: { node: ">=12" } };
  added++;
}
const [rootEntry, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([rootEntry, ...rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock: ${added} platform entries added`);
