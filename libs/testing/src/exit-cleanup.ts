// Last-resort cleanup for a test run that dies without reaching its `finally`
// blocks: whatever is still registered when the Node process exits is undone
// here. Only synchronous work is possible inside an "exit" listener.

type Cleanup = () => void;

const pending = new Set<Cleanup>();
let hooked = false;

function runAll(): void {
  // Newest first, like nested `finally` blocks: a process dies before the
  // directory it writes into is removed.
  for (const cleanup of [...pending].reverse()) {
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not stop the others.
    }
  }
  pending.clear();
}

/** Registers `cleanup` to run on process exit; returns the unregister function. */
export function onProcessExit(cleanup: Cleanup): () => void {
  if (!hooked) {
    process.on("exit", runAll);
    hooked = true;
  }
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
}
