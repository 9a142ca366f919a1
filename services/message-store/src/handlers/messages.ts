import type { Message } from "@conduit/proto/agent/v1";
import type { MessageStoreServiceServer } from "@conduit/proto/store/v1";
import { sequenceRange, type Page } from "../core/message-cursor.js";
import {
  appendMessages,
  getMessage,
  listContextMessages,
  listMessages,
  searchMessages,
  updateMessage,
} from "../store/messages.js";
import { computeSearchVectors, prepareMessages } from "../store/messages-write.js";
import {
  appendMessagesRequest,
  getMessageRequest,
  listContextMessagesRequest,
  listMessagesRequest,
  searchMessagesRequest,
  updateMessageRequest,
} from "./message-schemas.js";
import { rpc, type HandlerDeps } from "./rpc.js";
import { LIMITS } from "./schemas.js";

/** Messages and in-context lists. */
export function messageHandlers(deps: HandlerDeps): Partial<MessageStoreServiceServer> {
  return {
    appendMessages: rpc.caller(deps, "AppendMessages", appendMessagesRequest, async (input, { org, db }) => {
      // Encoded and stemmed before the transaction: the agent's lock is then held only for the writes.
      const batch = prepareMessages(org, input.agentId, input.messages);
      await computeSearchVectors(db.manager, batch);
      return { messages: await db.transaction((em) => appendMessages(em, batch, input.addToContext)) };
    }),

    listMessages: rpc.caller(deps, "ListMessages", listMessagesRequest, async (input, { org, db }) =>
      pageResponse(await listMessages(db.manager, org, { ...input, range: sequenceRange(input), direction: input.order })),
    ),

    getMessage: rpc.caller(deps, "GetMessage", getMessageRequest, async (input, { org, db }) => ({
      message: await getMessage(db.manager, org, input.messageId),
    })),

    updateMessage: rpc.caller(deps, "UpdateMessage", updateMessageRequest, async (input, { org, db }) => ({
      message: await db.transaction((em) => updateMessage(em, org, input.message, input.keys, LIMITS.maxMessageBytes)),
    })),

    searchMessages: rpc.caller(deps, "SearchMessages", searchMessagesRequest, async (input, { org, db }) =>
      pageResponse(await searchMessages(db.manager, org, { ...input, range: sequenceRange(input), direction: input.order })),
    ),

    listContextMessages: rpc.caller(deps, "ListContextMessages", listContextMessagesRequest, async (input, { org, db }) => ({
      messages: await listContextMessages(db.manager, org, input.agentId, input.conversationId),
    })),
  };
}

const pageResponse = (page: Page<Message>) => ({ messages: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
