export { ConfigError, loadEnv } from "./env.js";
export { address, logLevel, millis, optionalPort, port, serviceEnv, url, type ServiceEnv } from "./fields.js";
