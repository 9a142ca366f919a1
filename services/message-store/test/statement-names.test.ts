import { describe, expect, it } from "vitest";
import { StatementNames } from "../src/db/statement-names.js";

describe("StatementNames", () => {
  it("names a text from its second use, the same name each time", () => {
    const names = new StatementNames(10);
    expect(names.nameOf("SELECT $1")).toBeUndefined();
    const name = names.nameOf("SELECT $1");
    expect(name).toMatch(/^conduit_[0-9a-f]{24}$/);
    expect(names.nameOf("SELECT $1")).toBe(name);
    names.nameOf("SELECT $2");
    expect(names.nameOf("SELECT $2")).not.toBe(name);
  });

  it("names no more texts than its limit, and none with a limit of 0", () => {
    const names = new StatementNames(1);
    names.nameOf("a");
    expect(names.nameOf("a")).toBeDefined();
    names.nameOf("b");
    expect(names.nameOf("b")).toBeUndefined();
    const none = new StatementNames(0);
    none.nameOf("a");
    expect(none.nameOf("a")).toBeUndefined();
  });

  it("sends a forgotten text unnamed for good", () => {
    const names = new StatementNames(10);
    names.nameOf("a");
    expect(names.nameOf("a")).toBeDefined();
    names.forget("a");
    expect(names.nameOf("a")).toBeUndefined();
    expect(names.nameOf("a")).toBeUndefined();
  });
});
