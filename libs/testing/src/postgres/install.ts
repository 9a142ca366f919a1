import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const DEBIAN_ROOT = "/usr/lib/postgresql";

/** The bin directory of the newest PostgreSQL installed the Debian way. */
export async function postgresBinDir(): Promise<string> {
  const versions = await readdir(DEBIAN_ROOT).catch(() => [] as string[]);
  const newest = versions.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1);
  if (!newest) {
    throw new Error(`no PostgreSQL found under ${DEBIAN_ROOT} (apt-get install -y postgresql)`);
  }
  return `${DEBIAN_ROOT}/${newest}/bin`;
}

export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root; as root its processes run as the
 * `postgres` user. Undefined when not root: they run as the current user.
 */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([
      run("id", ["-u", "postgres"]),
      run("id", ["-g", "postgres"]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch (error) {
    throw new Error("running as root, but there is no `postgres` user to run PostgreSQL as", {
      cause: error,
    });
  }
}
