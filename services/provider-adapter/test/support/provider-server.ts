import { afterAll, beforeAll } from "vitest";
import { startProviderServer, type ProviderServer } from "@conduit/testing";
import { startedBeforeUse } from "./started.js";

/** A local provider server for a test file: started before its tests, closed after them. */
export function useProviderServer(): ProviderServer {
  let server: ProviderServer | undefined;
  beforeAll(async () => {
    server = await startProviderServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return startedBeforeUse(() => server, "the provider server");
}

/** The URL of a provider server that has closed: nothing listens there any more. */
export async function closedServerUrl(): Promise<string> {
  const closed = await startProviderServer();
  const url = closed.url;
  await closed.close();
  return url;
}
