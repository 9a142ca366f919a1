import { AgentRow } from "./agent.js";
import { ApiKeyRow } from "./api-key.js";
import { ConversationContextRow } from "./conversation-context.js";
import { MemoryBlockRow } from "./memory-block.js";
import { MessageRow } from "./message.js";
import { OrganizationRow } from "./organization.js";
import { RunLockRow, RunRow } from "./run.js";
import { StepRow } from "./step.js";

export { asJson, type JsonObject } from "./json.js";
export { AgentRow, ApiKeyRow, ConversationContextRow, MemoryBlockRow, MessageRow, OrganizationRow, RunLockRow, RunRow, StepRow };

export const ENTITIES = [
  OrganizationRow,
  ApiKeyRow,
  AgentRow,
  MemoryBlockRow,
  ConversationContextRow,
  RunRow,
  RunLockRow,
  StepRow,
  MessageRow,
];
