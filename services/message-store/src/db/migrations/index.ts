import { InitialSchema1763769600001 } from "./0001-initial-schema.js";
import { SearchVectorWrittenByStore1765000000002 } from "./0002-search-vector-written-by-store.js";

/** In order. A migration, once released, never changes: a schema change is a new file. */
export const MIGRATIONS = [InitialSchema1763769600001, SearchVectorWrittenByStore1765000000002];
