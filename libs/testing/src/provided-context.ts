// What the global setup hands to tests through vitest's inject("pgUrl") / inject("natsUrl").
declare module "vitest" {
  export interface ProvidedContext {
    /** The shared server's `conduit` database; use createDatabase() for an isolated one. */
    pgUrl: string;
    natsUrl: string;
  }
}

export {};
