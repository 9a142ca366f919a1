import { AgentType } from "@conduit/proto/agent/v1";
import { memgptStrategy } from "./memgpt.js";
import { reactStrategy } from "./react.js";
import type { AgentStrategy } from "./strategy.js";

export type { AgentStrategy } from "./strategy.js";

export const strategyFor = (type: AgentType): AgentStrategy =>
  type === AgentType.AGENT_TYPE_MEMGPT ? memgptStrategy : reactStrategy;
