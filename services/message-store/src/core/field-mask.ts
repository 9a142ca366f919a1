/**
 * FieldMask handling for partial updates. Paths are the .proto field names in snake_case
 * (`max_steps`), as a FieldMask carries them on the wire; each maps to the camelCase key of
 * the generated TypeScript message (`maxSteps`).
 */

/** The updatable fields of a message: the proto path of each, by its TypeScript key. */
export type MaskSpec<K extends string> = Readonly<Record<K, string>>;

export type MaskResult<K extends string> = { ok: true; keys: ReadonlySet<K> } | { ok: false; problem: string };

/** Builds a spec from TypeScript keys: each key's proto path is its snake_case form. */
export function maskSpec<K extends string>(keys: readonly K[]): MaskSpec<K> {
  return Object.fromEntries(keys.map((k) => [k, k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])) as MaskSpec<K>;
}

/**
 * The keys a mask names. Refuses an empty mask and any path that is not an updatable
 * top-level field (nested paths included); a path named twice counts once.
 */
export function parseFieldMask<K extends string>(paths: readonly string[], spec: MaskSpec<K>): MaskResult<K> {
  if (paths.length === 0) return { ok: false, problem: `must name at least one field (${allowed(spec)})` };
  const byPath = new Map(Object.entries<string>(spec).map(([key, path]) => [path, key as K]));
  const keys = new Set<K>();
  for (const path of paths) {
    const key = byPath.get(path);
    if (key === undefined) return { ok: false, problem: `cannot update "${path}"; updatable fields: ${allowed(spec)}` };
    keys.add(key);
  }
  return { ok: true, keys };
}

/** A copy of `target` with the masked keys taken from `source` (a field left empty in `source` is cleared). */
export function applyFieldMask<T extends object, K extends keyof T & string>(target: T, source: T, keys: ReadonlySet<K>): T {
  const next = { ...target };
  for (const key of keys) next[key] = source[key];
  return next;
}

const allowed = (spec: MaskSpec<string>) => Object.values(spec).join(", ");
