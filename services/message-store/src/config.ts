import { z } from "zod";
import { serviceEnv, url } from "@conduit/config";
import { DEFAULT_PREPARED_STATEMENTS } from "./db/statement-names.js";

const secret = () => z.string().min(16, { error: "expected a secret of at least 16 characters" }).optional();

export const envSchema = z.object({
  ...serviceEnv(50052),
  /** Distributed mode: PostgreSQL. Unset: embedded PGlite with its data under CONDUIT_DATA_DIR. */
  DATABASE_URL: url(["postgres", "postgresql"]).optional(),
  /** How many statement texts each Postgres connection prepares; 0 for poolers that cannot keep them. */
  DATABASE_PREPARED_STATEMENTS: z.coerce
    .number({ error: "expected a number of statements" })
    .int({ error: "expected a whole number of statements" })
    .min(0, { error: "expected 0 or more statements" })
    .default(DEFAULT_PREPARED_STATEMENTS),
  CONDUIT_DATA_DIR: z.string().min(1).default(".conduit"),
  /** Credential for the admin RPCs (organizations, API keys). Unset: they are refused. */
  CONDUIT_ADMIN_KEY: secret(),
  /** Credential agent-loop presents for run control. Unset: internal RPCs are refused. */
  CONDUIT_INTERNAL_KEY: secret(),
  /** When set, a development organization and API key are made on first start and the key
   *  is written to this file (mode 0600); later starts reuse it while it stays valid. */
  CONDUIT_DEV_KEY_FILE: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;
