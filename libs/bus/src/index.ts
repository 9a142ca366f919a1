export { subjectMatches, type Bus, type BusMessage, type BusSubscription } from "./bus.js";
export { createInProcessBus } from "./in-process-bus.js";
export { connectNatsBus, type NatsBusOptions } from "./nats-bus.js";
