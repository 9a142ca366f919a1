import { z } from "zod";
import { serviceEnv, url } from "@conduit/config";

const key = () => z.string().min(8, { error: "expected an API key" }).optional();

export const envSchema = z.object({
  ...serviceEnv(50053),
  OPENAI_API_KEY: key(),
  /** Any OpenAI-compatible server (Ollama, vLLM, Groq, …) or a proxy. */
  OPENAI_BASE_URL: url(["http", "https"]).optional(),
  ANTHROPIC_API_KEY: key(),
  ANTHROPIC_BASE_URL: url(["http", "https"]).optional(),
  GEMINI_API_KEY: key(),
});

export type Env = z.infer<typeof envSchema>;

export type ProviderName = "openai" | "anthropic" | "google";

/** Providers with a key (or, for OpenAI-compatible servers, a base URL) in the environment. */
export function configuredProviders(env: Env): ProviderName[] {
  const out: ProviderName[] = [];
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) out.push("openai");
  if (env.ANTHROPIC_API_KEY) out.push("anthropic");
  if (env.GEMINI_API_KEY) out.push("google");
  return out;
}
