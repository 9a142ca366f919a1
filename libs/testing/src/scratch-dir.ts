import { accessSync, constants } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Throwaway servers create and delete thousands of files. On this machine's
// ext4 /tmp, file creation slows down after many deletions (initdb: 2 s
// instead of 0.6 s on tmpfs), and the data is thrown away anyway.
function defaultParent(): string {
  try {
    accessSync("/dev/shm", constants.W_OK | constants.X_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

/** A fresh directory for a throwaway server, under `parent` (default: tmpfs when there is one). */
export function scratchDir(prefix: string, parent: string = defaultParent()): Promise<string> {
  return mkdtemp(join(parent, prefix));
}
