import { readFileSync } from "node:fs";
import { z } from "zod";
import { millis, serviceEnv, url } from "@conduit/config";
import { isCidr } from "./images/address-policy.js";
import { ScriptedModelSettings } from "@conduit/proto/agent/v1";

const key = () => z.string().min(8, { error: "expected an API key" }).optional();

export const envSchema = z.object({
  ...serviceEnv(50053),
  OPENAI_API_KEY: key(),
  /** Any OpenAI-compatible server (Ollama, vLLM, Groq, …) or a proxy. */
  OPENAI_BASE_URL: url(["http", "https"]).optional(),
  ANTHROPIC_API_KEY: key(),
  ANTHROPIC_BASE_URL: url(["http", "https"]).optional(),
  GEMINI_API_KEY: key(),
  /** A proxy in front of the Gemini API (the SDK appends `/v1beta/models/…`). */
  GEMINI_BASE_URL: url(["http", "https"]).optional(),
  /** Azure OpenAI (`azure/<deployment>`, Responses API): needs the key and the endpoint. */
  AZURE_OPENAI_API_KEY: key(),
  /** The resource URL, e.g. `https://my-resource.openai.azure.com`. */
  AZURE_OPENAI_ENDPOINT: url(["http", "https"]).optional(),
  AZURE_OPENAI_API_VERSION: z.string().min(1).default("2025-04-01-preview"),
  /** Anthropic on Amazon Bedrock (`bedrock/<model id>`): the region, and static keys or BEDROCK_ENABLED. */
  AWS_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  /** Without static keys: sign with the default AWS credential chain (instance role, profile, SSO, …). */
  BEDROCK_ENABLED: z.stringbool().default(false),
  /** The Bedrock runtime endpoint; unset: `https://bedrock-runtime.<region>.amazonaws.com`. */
  BEDROCK_BASE_URL: url(["http", "https"]).optional(),
  /** Anthropic on Google Vertex AI (`vertex/<model>`): needs the project and the region. */
  ANTHROPIC_VERTEX_PROJECT_ID: z.string().min(1).optional(),
  CLOUD_ML_REGION: z.string().min(1).optional(),
  ANTHROPIC_VERTEX_BASE_URL: url(["http", "https"]).optional(),
  /** A static Google access token; unset: Application Default Credentials. */
  ANTHROPIC_VERTEX_ACCESS_TOKEN: z.string().min(1).optional(),
  /** Credential other services present; unset: calls need none. */
  CONDUIT_INTERNAL_KEY: z.string().min(16, { error: "expected a secret of at least 16 characters" }).optional(),
  /** Calls per model before its fallback takes over (only before the first event). */
  CONDUIT_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10, { error: "expected 1 to 10" }).default(3),
  CONDUIT_RETRY_BASE_MS: millis(500),
  /** Longest wait between calls; a provider asking for longer is not retried. */
  CONDUIT_RETRY_MAX_DELAY_MS: millis(10_000),
  /** A provider silent this long (before its first byte or between events) is cut off. */
  CONDUIT_STALL_TIMEOUT_MS: millis(300_000),
  /** Image URLs in messages are fetched and inlined; larger images are refused. */
  CONDUIT_IMAGE_MAX_BYTES: z.coerce.number().int().min(1).default(5 * 1024 * 1024),
  CONDUIT_IMAGE_FETCH_TIMEOUT_MS: millis(10_000),
  /** Comma-separated CIDRs or addresses image fetches may reach although private (an internal CDN). */
  CONDUIT_IMAGE_FETCH_ALLOW: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every(isCidr), { error: "expected comma-separated CIDRs or IP addresses" }),
  /** Comma-separated model handles this deployment offers, listed by ListModels. */
  CONDUIT_MODELS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean)),
  /** The model of requests that name none (agents created without a model); see modelCatalog. */
  CONDUIT_DEFAULT_MODEL: z.string().min(1).optional(),
  /** A ScriptedModelSettings in proto JSON: what `conduit/scripted` plays when a request has no script. */
  CONDUIT_SCRIPTED_MODEL_FILE: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

export type ProviderName = "openai" | "anthropic" | "google" | "azure" | "bedrock" | "vertex";

/** Providers with a key (or, for OpenAI-compatible servers, a base URL) in the environment. */
export function configuredProviders(env: Env): ProviderName[] {
  const out: ProviderName[] = [];
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) out.push("openai");
  if (env.ANTHROPIC_API_KEY) out.push("anthropic");
  if (env.GEMINI_API_KEY) out.push("google");
  if (env.AZURE_OPENAI_API_KEY && env.AZURE_OPENAI_ENDPOINT) out.push("azure");
  if (env.AWS_REGION && ((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.BEDROCK_ENABLED)) out.push("bedrock");
  if (env.ANTHROPIC_VERTEX_PROJECT_ID && env.CLOUD_ML_REGION) out.push("vertex");
  return out;
}

/** Reads the configured default script; a bad file stops the start with its name in the error. */
export function loadScript(file: string | undefined): ScriptedModelSettings | undefined {
  if (!file) return undefined;
  try {
    return ScriptedModelSettings.fromJSON(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new Error(`CONDUIT_SCRIPTED_MODEL_FILE: cannot read a script from ${file}: ${(err as Error).message}`, { cause: err });
  }
}
