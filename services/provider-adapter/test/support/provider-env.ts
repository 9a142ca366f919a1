/**
 * Each provider family's part of the adapter's env, pointed at a local provider server at `url`.
 * Tests check that these credentials reach the provider, so the values are fixed.
 */
export const providerEnv = {
  openai: (url: string) => ({ OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: `${url}/v1` }),
  azure: (url: string) => ({ AZURE_OPENAI_API_KEY: "azure-test-key", AZURE_OPENAI_ENDPOINT: url }),
  anthropic: (url: string) => ({ ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: url }),
  gemini: (url: string) => ({ GEMINI_API_KEY: "AIza-test-key", GEMINI_BASE_URL: url }),
  bedrock: (url: string) => ({
    AWS_REGION: "us-west-2",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    BEDROCK_BASE_URL: url,
  }),
};
