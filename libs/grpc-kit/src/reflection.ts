import type { Server } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer, loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * Serves gRPC server reflection (v1 and v1alpha) for the given services and grpc.health.v1,
 * from a compiled FileDescriptorSet, so no .proto files are needed at run time.
 */
export function addReflection(server: Server, descriptorSet: Uint8Array, services: readonly string[]): void {
  const options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
  const pkg = {
    ...loadFileDescriptorSetFromBuffer(Buffer.from(descriptorSet), options),
    ...loadSync(healthProtoPath, options),
  };
  new ReflectionService(pkg, { services: [...services, "grpc.health.v1.Health"] }).addToServer(server);
}
