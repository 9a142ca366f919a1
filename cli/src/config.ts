import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "./args.js";

export interface Connection {
  /** agent-loop. */
  address: string;
  /** message-store. */
  storeAddress: string;
  apiKey: string;
}

export interface ConnectionFlags {
  address?: string | undefined;
  storeAddress?: string | undefined;
  apiKey?: string | undefined;
}

export const DEFAULT_ADDRESS = "127.0.0.1:50051";
export const DEFAULT_STORE_ADDRESS = "127.0.0.1:50052";

/** Where `make run` keeps the development API key: `$CONDUIT_DATA_DIR/dev-api-key`, `.conduit` by default. */
export const devKeyPath = (env: NodeJS.ProcessEnv, cwd: string) => join(resolve(cwd, env.CONDUIT_DATA_DIR || ".conduit"), "dev-api-key");

/** Flags win over the environment, which wins over the dev key file and the defaults. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string): Connection {
  const keyFile = devKeyPath(env, cwd);
  const apiKey = flags.apiKey || env.CONDUIT_API_KEY || readKeyFile(keyFile);
  if (!apiKey) {
    throw new UsageError(`no API key: pass --api-key, set CONDUIT_API_KEY, or start the stack with \`make run\`, which writes ${keyFile}`);
  }
  return {
    address: flags.address || env.CONDUIT_ADDRESS || DEFAULT_ADDRESS,
    storeAddress: flags.storeAddress || env.CONDUIT_STORE_ADDRESS || DEFAULT_STORE_ADDRESS,
    apiKey,
  };
}

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
