import { connectNatsBus, createInProcessBus, type Bus } from "@conduit/bus";
import type { Logger } from "@conduit/logging";

/** NATS when a URL is configured, else the in-process bus of embedded mode. */
export async function openBus(natsUrl: string | undefined, log: Logger, onStatus: () => void): Promise<Bus> {
  if (!natsUrl) {
    log.info({ bus: "in-process" }, "bus ready");
    return createInProcessBus();
  }
  const bus = await connectNatsBus({
    url: natsUrl,
    name: "agent-loop",
    onStatus: (status) => {
      log.info({ status }, "bus connection status changed");
      onStatus();
    },
  });
  log.info({ bus: "nats" }, "bus ready");
  return bus;
}
