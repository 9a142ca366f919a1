import { z } from "zod";
import { serviceEnv, url } from "@conduit/config";

export const envSchema = z.object({
  ...serviceEnv(50052),
  /** Distributed mode: PostgreSQL. Unset: embedded PGlite with its data under CONDUIT_DATA_DIR. */
  DATABASE_URL: url(["postgres", "postgresql"]).optional(),
  CONDUIT_DATA_DIR: z.string().min(1).default(".conduit"),
});

export type Env = z.infer<typeof envSchema>;
