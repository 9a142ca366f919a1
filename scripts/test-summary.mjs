#!/usr/bin/env node
// Prints `N passed, N failed` from vitest's JSON report. When the run failed before vitest
// wrote a report (install, typecheck, lint), that failure counts as one failed check.
import { existsSync, readFileSync } from "node:fs";

const [file = "vitest-report.json", exitCode = "0"] = process.argv.slice(2);
if (!existsSync(file)) {
  console.log(`0 passed, ${exitCode === "0" ? 0 : 1} failed`);
} else {
  const r = JSON.parse(readFileSync(file, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  // A file that fails to load fails no test; count it so a red run never reads as green.
  const failed = Math.max(r.numFailedTests, r.numFailedTestSuites ?? 0, exitCode === "0" ? 0 : 1);
  console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
}
