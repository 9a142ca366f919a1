import { describe, expect, it } from "vitest";
import { applyFieldMask, maskSpec, parseFieldMask } from "../src/core/field-mask.js";

const spec = maskSpec(["name", "maxSteps", "modelSettings"] as const);

describe("field masks", () => {
  it("maps snake_case proto paths to the message's TypeScript keys", () => {
    expect(spec).toEqual({ name: "name", maxSteps: "max_steps", modelSettings: "model_settings" });
    const mask = parseFieldMask(["max_steps", "model_settings"], spec);
    expect(mask).toEqual({ ok: true, keys: new Set(["maxSteps", "modelSettings"]) });
  });

  it("refuses an empty mask and lists what can be updated", () => {
    const mask = parseFieldMask([], spec);
    expect(mask.ok).toBe(false);
    expect(!mask.ok && mask.problem).toContain("name, max_steps, model_settings");
  });

  it("refuses unknown, camelCase and nested paths", () => {
    for (const path of ["id", "maxSteps", "model_settings.temperature", ""]) {
      const mask = parseFieldMask(["name", path], spec);
      expect(mask.ok, path).toBe(false);
      expect(!mask.ok && mask.problem).toContain(`"${path}"`);
    }
  });

  it("counts a path named twice once", () => {
    expect(parseFieldMask(["name", "name"], spec)).toEqual({ ok: true, keys: new Set(["name"]) });
  });

  it("replaces only the masked fields, clearing those left empty in the source", () => {
    const stored = { name: "a", maxSteps: 10, tags: ["x"] };
    const next = applyFieldMask(stored, { name: "b", maxSteps: 0, tags: [] }, new Set(["maxSteps", "tags"] as const));
    expect(next).toEqual({ name: "a", maxSteps: 0, tags: [] });
    expect(stored).toEqual({ name: "a", maxSteps: 10, tags: ["x"] });
  });
});
