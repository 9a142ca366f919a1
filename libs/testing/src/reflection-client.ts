import { createRequire } from "node:module";
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = require.resolve("@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto");

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}
type ReflectionClient = Client & { ServerReflectionInfo(): ClientDuplexStream<object, ReflectionResponse> };

/** Asks a server one grpc.reflection.v1 question, as grpcurl or Postman would. */
async function ask(address: string, request: object): Promise<ReflectionResponse> {
  const def = loadSync(REFLECTION_PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure()) as unknown as ReflectionClient;
  try {
    const call = client.ServerReflectionInfo();
    const answer = new Promise<ReflectionResponse>((resolve, reject) => {
      call.once("data", resolve);
      call.once("error", reject);
    });
    call.write(request);
    call.end();
    return await answer;
  } finally {
    client.close();
  }
}

/** The service names a server lists through reflection. */
export async function reflectedServices(address: string): Promise<string[]> {
  const res = await ask(address, { list_services: "" });
  return (res.list_services_response?.service ?? []).map((s) => s.name).sort();
}

/** How many file descriptors reflection returns for a symbol (0 when it does not know it). */
export async function reflectedFilesFor(address: string, symbol: string): Promise<number> {
  const res = await ask(address, { file_containing_symbol: symbol });
  return res.file_descriptor_response?.file_descriptor_proto.length ?? 0;
}
