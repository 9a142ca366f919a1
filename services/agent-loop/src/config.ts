import { z } from "zod";
import { serviceEnv, url } from "@conduit/config";

export const envSchema = z.object({
  ...serviceEnv(50051),
  /** Distributed mode: cancels and run events over NATS. Unset: the in-process bus. */
  NATS_URL: url(["nats", "tls"]).optional(),
});

export type Env = z.infer<typeof envSchema>;
