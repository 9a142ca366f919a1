/** The provider endpoints the server answers; each names its fixtures folder too (see fixturesFolderOf). */
export type ProviderRoute = "openai-chat" | "openai-responses" | "anthropic-messages" | "gemini" | "bedrock";

export const PROVIDER_ROUTES: readonly ProviderRoute[] = [
  "openai-chat",
  "openai-responses",
  "anthropic-messages",
  "gemini",
  "bedrock",
];

/** The fixtures folder of a route: Bedrock streams the Anthropic events, in event-stream framing. */
export function fixturesFolderOf(route: ProviderRoute): string {
  return route === "bedrock" ? "anthropic-messages" : route;
}

// The openai SDK appends `/chat/completions` to its baseURL, which usually ends in /v1 but not
// for every OpenAI-compatible server; both forms reach the same route.
const PATHS: ReadonlyArray<readonly [RegExp, ProviderRoute]> = [
  [/^(\/v1)?\/chat\/completions$/, "openai-chat"],
  [/^(\/v1)?\/responses$/, "openai-responses"],
  // Azure OpenAI: `/openai/responses?api-version=…` (AzureOpenAI client), or its `/openai/v1` API.
  [/^\/openai(\/v1)?\/responses$/, "openai-responses"],
  [/^\/v1\/messages$/, "anthropic-messages"],
  // Anthropic on Vertex AI: the same SSE stream, the model in the path (with or without /v1).
  [/^(\/v1)?\/projects\/[^/]+\/locations\/[^/]+\/publishers\/anthropic\/models\/[^/:]+:streamRawPredict$/, "anthropic-messages"],
  [/^\/v1beta\/models\/[^/:]+:(streamGenerateContent|generateContent)$/, "gemini"],
  [/^\/model\/[^/]+\/invoke-with-response-stream$/, "bedrock"],
];

/** The route a request goes to, or undefined for a path no provider serves (answered 404). */
export function routeOf(method: string, pathname: string): ProviderRoute | undefined {
  if (method !== "POST") return undefined;
  return PATHS.find(([pattern]) => pattern.test(pathname))?.[1];
}
