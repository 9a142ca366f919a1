import { randomUUID } from "node:crypto";
import type { Clock, IdGenerator } from "../core/ports.js";

export const uuidIds: IdGenerator = {
  messageId: () => `message-${randomUUID()}`,
  stepId: () => `step-${randomUUID()}`,
  toolCallId: () => `call_${randomUUID().replaceAll("-", "")}`,
};

export const systemClock: Clock = { now: () => new Date() };
