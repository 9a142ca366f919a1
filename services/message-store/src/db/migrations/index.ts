import { InitialSchema1763769600001 } from "./0001-initial-schema.js";

/** In order. A migration, once released, never changes: a schema change is a new file. */
export const MIGRATIONS = [InitialSchema1763769600001];
