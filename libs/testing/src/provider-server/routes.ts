/** The provider endpoints the server answers; each names its fixtures folder too. */
export type ProviderRoute = "openai-chat" | "openai-responses" | "anthropic-messages" | "gemini";

export const PROVIDER_ROUTES: readonly ProviderRoute[] = [
  "openai-chat",
  "openai-responses",
  "anthropic-messages",
  "gemini",
];

// The openai SDK appends `/chat/completions` to its baseURL, which usually ends in /v1 but not
// for every OpenAI-compatible server; both forms reach the same route.
const PATHS: ReadonlyArray<readonly [RegExp, ProviderRoute]> = [
  [/^(\/v1)?\/chat\/completions$/, "openai-chat"],
  [/^(\/v1)?\/responses$/, "openai-responses"],
  [/^\/v1\/messages$/, "anthropic-messages"],
  [/^\/v1beta\/models\/[^/:]+:(streamGenerateContent|generateContent)$/, "gemini"],
];

/** The route a request goes to, or undefined for a path no provider serves (answered 404). */
export function routeOf(method: string, pathname: string): ProviderRoute | undefined {
  if (method !== "POST") return undefined;
  return PATHS.find(([pattern]) => pattern.test(pathname))?.[1];
}
