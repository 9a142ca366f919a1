import { credentials, type Client } from "@grpc/grpc-js";
import { callStream, callUnary, type CallOptionsLike } from "./client.js";
import { healthServiceConstructor } from "./health-service.js";

export type HealthStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

interface HealthClient extends Client {
  check: Parameters<typeof callUnary<{ service: string }, { status: HealthStatus }>>[0];
  watch: Parameters<typeof callStream<{ service: string }, { status: HealthStatus }>>[0];
}

/** A grpc.health.v1 client; close it with `client.close()`. */
export function healthClient(address: string): HealthClient {
  const Health = healthServiceConstructor();
  return new Health(address, credentials.createInsecure()) as unknown as HealthClient;
}

export async function checkHealth(client: HealthClient, service = "", opts: CallOptionsLike = {}): Promise<HealthStatus> {
  const res = await callUnary(client.check.bind(client), { service }, { timeoutMs: 5_000, ...opts });
  return res.status;
}

/** Status updates as the server publishes them; the first item is the current status. */
export async function* watchHealth(client: HealthClient, service = "", opts: CallOptionsLike = {}): AsyncGenerator<HealthStatus> {
  for await (const res of callStream(client.watch.bind(client), { service }, opts)) yield res.status;
}
