export { createLogger, withIds, type Logger, type LoggerOptions } from "./logger.js";
