import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll } from "vitest";
import { callStream, type ServiceError } from "@conduit/grpc-kit";
import { ProviderAdapterServiceClient, type CompletionEvent, type StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { startProviderServer, startService, type ProviderServer, type RunningService } from "@conduit/testing";
import { startedBeforeUse } from "./started.js";

type Env = Record<string, string>;
type AdapterClient = InstanceType<typeof ProviderAdapterServiceClient>;

export interface StreamCall {
  signal?: AbortSignal;
  /** Sent with the call; empty when unset. */
  metadata?: Metadata;
  /** Sees each event as it arrives, e.g. to cancel mid-stream. */
  onEvent?: (event: CompletionEvent) => void;
}

/** What a StreamCompletion call streamed, and the error it ended with (none when it finished). */
export interface StreamOutcome {
  events: CompletionEvent[];
  error: ServiceError | undefined;
}

/** provider-adapter running for a test file, over gRPC. */
export interface AdapterService {
  readonly client: AdapterClient;
  /** Runs one StreamCompletion to its end. */
  collect(request: StreamCompletionRequest, call?: StreamCall): Promise<StreamOutcome>;
}

export interface AdapterWithUpstream extends AdapterService {
  /** The local provider server the configured providers point at. */
  readonly upstream: ProviderServer;
}

/**
 * A local provider server and provider-adapter, on free ports, configured by `envOf(upstream)`:
 * started before the file's tests, stopped after them. The returned object stands for them.
 */
export function useAdapter(envOf: (upstream: ProviderServer) => Env): AdapterWithUpstream {
  // The provider server starts first, so its URL is known here.
  return useAdapterService(true, (upstream) => envOf(upstream!));
}

/** provider-adapter alone, with no provider server: only its own `conduit/scripted` model answers. */
export function useAdapterAlone(env: Env): AdapterService {
  return useAdapterService(false, () => env);
}

function useAdapterService(withUpstream: boolean, envOf: (upstream: ProviderServer | undefined) => Env) {
  let upstream: ProviderServer | undefined;
  let adapter: RunningService | undefined;
  let client: AdapterClient | undefined;
  beforeAll(async () => {
    if (withUpstream) upstream = await startProviderServer();
    adapter = await startService("provider-adapter", { CONDUIT_PORT: "0", ...envOf(upstream) });
    client = new ProviderAdapterServiceClient(adapter.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await adapter?.stop();
    await upstream?.close();
  });
  const started = startedBeforeUse(() => client, "provider-adapter");
  return {
    upstream: startedBeforeUse(() => upstream, "the provider server"),
    client: started,
    collect: (request: StreamCompletionRequest, call: StreamCall = {}) => collectStream(started, request, call),
  };
}

async function collectStream(client: AdapterClient, request: StreamCompletionRequest, call: StreamCall): Promise<StreamOutcome> {
  const events: CompletionEvent[] = [];
  const { signal, metadata = new Metadata(), onEvent } = call;
  try {
    for await (const e of callStream(client.streamCompletion.bind(client), request, { metadata, ...(signal ? { signal } : {}) })) {
      events.push(e);
      onEvent?.(e);
    }
    return { events, error: undefined };
  } catch (error) {
    return { events, error: error as ServiceError };
  }
}
