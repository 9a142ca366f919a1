/**
 * A stand-in for what a `beforeAll` starts, usable at module level: every property is read from
 * `current()` when used, methods bound to it. Used before the start, it says so.
 */
export function startedBeforeUse<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, property) {
      const target = current();
      if (target === undefined) throw new Error(`${what} is used before it started (use it inside a test or a beforeAll)`);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
