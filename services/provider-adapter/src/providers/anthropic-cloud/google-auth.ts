import { GoogleAuth, OAuth2Client, type AuthClient } from "google-auth-library";

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/**
 * The Google credentials Vertex calls carry: a static access token when one is given (the
 * vertex-sdk's own `accessToken` option is stored but never sent, in 1.1), else Application
 * Default Credentials, resolved here: a deployment without them fails at start with a clear
 * error (left to the SDK, the lookup it starts in its constructor rejects unhandled).
 */
export async function googleAuthClient(accessToken: string | undefined): Promise<AuthClient> {
  if (accessToken !== undefined) return staticTokenClient(accessToken);
  try {
    return await new GoogleAuth({ scopes: CLOUD_PLATFORM }).getClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = "set ANTHROPIC_VERTEX_ACCESS_TOKEN or GOOGLE_APPLICATION_CREDENTIALS";
    throw new Error(`Vertex AI: no Google Application Default Credentials (${reason}); ${hint}`, { cause: error });
  }
}

// Without an expiry date the client never refreshes: it sends the token as given.
export function staticTokenClient(accessToken: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: accessToken });
  return client;
}
