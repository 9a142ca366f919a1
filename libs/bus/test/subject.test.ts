import { describe, expect, it } from "vitest";
import { subjectMatches } from "../src/index.js";

describe("subjectMatches", () => {
  it.each([
    ["conduit.run.r1.cancel", "conduit.run.r1.cancel", true],
    ["conduit.run.*.cancel", "conduit.run.r1.cancel", true],
    ["conduit.run.*.cancel", "conduit.run.r1.events", false],
    ["conduit.run.>", "conduit.run.r1.cancel", true],
    ["conduit.run.>", "conduit.run", false],
    ["conduit.*", "conduit.run.r1", false],
    ["conduit.run.r1", "conduit.run.r1.cancel", false],
    ["conduit.run.r1.cancel", "conduit.run.r1", false],
  ])("%s matches %s: %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
