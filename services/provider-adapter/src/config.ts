import { z } from "zod";
import { serviceEnv } from "@conduit/config";

export const envSchema = z.object({
  ...serviceEnv(50053),
});

export type Env = z.infer<typeof envSchema>;
