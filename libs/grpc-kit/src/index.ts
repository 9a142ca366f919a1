export { CallAborted, type AbortCause, type CallContext, type ServerRuntime } from "./call-context.js";
export { callStream, callUnary, type CallOptionsLike } from "./client.js";
export { EncodedResponse, releasedClient } from "./released-client.js";
export {
  invalidArgument,
  notFound,
  ServiceError,
  shuttingDown,
  Status,
  toServiceError,
  unavailable,
  unimplemented,
  type ServiceErrorOptions,
} from "./errors.js";
export {
  notImplemented,
  notImplementedStream,
  serverStream,
  unary,
  type StreamHandler,
  type UnaryHandler,
} from "./handlers.js";
export type { Merge } from "./coalescing-writer.js";
export { HealthReporter, type HealthProbe } from "./health.js";
export { checkHealth, healthClient, watchHealth, type HealthStatus } from "./health-client.js";
export { CLIENT_OPTIONS, GrpcHost, type GrpcHostOptions } from "./host.js";
export { runService, type ServiceParts, type ServiceSpec } from "./lifecycle.js";
export { addReflection } from "./reflection.js";
export { decodeStatusDetails, encodeStatusDetails, ERROR_DOMAIN, STATUS_DETAILS_KEY, type StatusDetails } from "./status-details.js";
export { bearerToken, sameSecret } from "./bearer.js";
export { fieldPath, parseRequest } from "./validation.js";
