import type { Logger } from "@conduit/logging";

export interface RunningService {
  readonly log: Logger;
  stop(): Promise<void>;
}

/**
 * Runs a service's `main` until SIGTERM or SIGINT, then stops it once and exits 0. A second
 * signal exits at once. A failure to start (bad config, port in use) is printed on one line
 * and exits 1.
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  let service: RunningService;
  try {
    service = await start();
  } catch (err) {
    process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      service.log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    service.log.info({ signal }, "shutting down");
    service.stop().then(
      () => {
        service.log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        service.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
