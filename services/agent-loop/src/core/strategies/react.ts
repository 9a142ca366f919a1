import type { AgentStrategy } from "./strategy.js";
import { toDefinition } from "./strategy.js";

/** Plain text is the answer and ends the turn; tool calls continue the loop. */
export const reactStrategy: AgentStrategy = {
  extracted: () => ({ thinking: false, message: false }),
  showsCall: () => true,
  toolDefinitions: (tools) => tools.map(toDefinition),
  refuse: () => undefined,
  toolArguments: (args) => args,
  wantsAnotherStep: (calls) => calls.length > 0,
  heartbeat: () => undefined,
};
