import "./provided-context.js";

export { createDatabase } from "./database.js";
export { freePort } from "./free-port.js";
export { startNats, type StartNatsOptions, type ThrowawayNats } from "./nats.js";
export type { LogLine } from "./process/output.js";
export {
  startProcess,
  type ExitStatus,
  type ProcessSpec,
  type StartProcessOptions,
  type SupervisedProcess,
} from "./process/supervisor.js";
export {
  startPostgres,
  type StartPostgresOptions,
  type ThrowawayPostgres,
} from "./postgres/throwaway-postgres.js";
export { startService, type ConduitService, type RunningService } from "./services.js";
export { reflectedFilesFor, reflectedServices } from "./reflection-client.js";
export { fixtureChunks, fixturesDir, listFixtures } from "./provider-server/fixtures.js";
export {
  anthropicError,
  bedrockError,
  bedrockException,
  geminiError,
  openaiError,
  type ErrorReply,
  type FixtureReply,
  type JsonReply,
  type ProviderReply,
  type StreamEnding,
  type StreamOptions,
  type StreamReply,
} from "./provider-server/replies.js";
export type { RecordedRequest } from "./provider-server/request-log.js";
export {
  BedrockStreamException,
  bedrockFrame,
  encodeEventStreamMessage,
  tableCrc32,
} from "./provider-server/event-stream-framing.js";
export { PROVIDER_ROUTES, type ProviderRoute } from "./provider-server/routes.js";
export { startProviderServer, type ProviderServer } from "./provider-server/server.js";
