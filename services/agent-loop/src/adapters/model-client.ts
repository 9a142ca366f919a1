import { credentials, Metadata } from "@grpc/grpc-js";
import { callStream, CLIENT_OPTIONS, ServiceError, Status } from "@conduit/grpc-kit";
import { ProviderAdapterServiceClient, type CompletionEvent, type StreamCompletionRequest } from "@conduit/proto/provider/v1";
import { ModelCallFailure, type ModelClient, type ModelFailureKind, type Signalled } from "../core/ports.js";

/** provider-adapter's error reasons, by the class the loop reports. */
const KIND_BY_REASON: Record<string, ModelFailureKind> = {
  RATE_LIMITED: "rate_limit",
  PROVIDER_TIMEOUT: "timeout",
  STREAM_STALLED: "timeout",
  PROVIDER_AUTH: "auth",
  CONTEXT_WINDOW_EXCEEDED: "context_window",
  PROVIDER_BAD_REQUEST: "bad_request",
  PROVIDER_UNAVAILABLE: "unavailable",
  MALFORMED_RESPONSE: "malformed",
};

/** The model through provider-adapter's StreamCompletion; its failures classified for the loop. */
export class ProviderAdapterModel implements ModelClient {
  private readonly client: InstanceType<typeof ProviderAdapterServiceClient>;

  constructor(
    address: string,
    private readonly internalKey: string | undefined,
  ) {
    this.client = new ProviderAdapterServiceClient(address, credentials.createInsecure(), CLIENT_OPTIONS);
  }

  async *stream(request: StreamCompletionRequest, opts: Signalled): AsyncGenerator<CompletionEvent> {
    const metadata = new Metadata();
    if (this.internalKey) metadata.set("authorization", `Bearer ${this.internalKey}`);
    try {
      yield* callStream(this.client.streamCompletion.bind(this.client), request, { signal: opts.signal, metadata });
    } catch (err) {
      if (opts.signal.aborted) throw err;
      throw classify(err);
    }
  }

  close(): void {
    this.client.close();
  }
}

function classify(err: unknown): ModelCallFailure {
  if (!(err instanceof ServiceError)) return new ModelCallFailure("internal", "the model call failed", String(err));
  const detail = `${Status[err.code]} / ${err.reason}: ${err.message}`;
  const kind =
    KIND_BY_REASON[err.reason] ??
    // Other refusals of the request by provider-adapter (unknown model, exhausted script).
    (err.code === Status.INVALID_ARGUMENT ? "bad_request" : "internal");
  const message = kind === "internal" ? "the provider adapter could not be reached or failed" : err.message;
  return new ModelCallFailure(kind, message, detail);
}
