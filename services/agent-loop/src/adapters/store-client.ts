import { credentials, Metadata } from "@grpc/grpc-js";
import { callUnary, CLIENT_OPTIONS, releasedClient, ServiceError, Status } from "@conduit/grpc-kit";
import { MemoryBlock, type Agent, type Message, type Run, type Step } from "@conduit/proto/agent/v1";
import { MessageStoreServiceClient, SearchMessagesRequest, SortOrder, type CreateRunRequest } from "@conduit/proto/store/v1";
import { ToolRefusal, type MessageQuery, type RunEnding, type RunStore, type RunTransition, type Signalled } from "../core/ports.js";

const ORGANIZATION_HEADER = "conduit-organization-id";
/** A store call that takes longer than this fails the run instead of hanging it. */
const CALL_TIMEOUT_MS = 30_000;

type Client = InstanceType<typeof MessageStoreServiceClient>;

/** message-store over gRPC, with the internal credential that run control needs. */
export class StoreConnection {
  private readonly client: Client;

  constructor(
    address: string,
    private readonly internalKey: string,
  ) {
    this.client = new (releasedClient(MessageStoreServiceClient))(address, credentials.createInsecure(), CLIENT_OPTIONS);
  }

  /** The store acting for one organization. */
  forOrganization(organizationId: string): OrganizationStore {
    return new OrganizationStore(this.client, this.metadata(organizationId));
  }

  /** The store for run-control RPCs that address a run globally (leases, the sweeper). */
  global(): OrganizationStore {
    return new OrganizationStore(this.client, this.metadata());
  }

  /** The organization a caller's API key belongs to; UNAUTHENTICATED when it has none. */
  async authenticate(key: string, opts: Signalled): Promise<string> {
    const res = await callUnary(this.client.authenticateApiKey.bind(this.client), { key }, this.options(opts, this.metadata()));
    return res.organizationId;
  }

  close(): void {
    this.client.close();
  }

  private metadata(organizationId?: string): Metadata {
    const md = new Metadata();
    md.set("authorization", `Bearer ${this.internalKey}`);
    if (organizationId) md.set(ORGANIZATION_HEADER, organizationId);
    return md;
  }

  private options(opts: Signalled, metadata: Metadata) {
    return { signal: opts.signal, metadata, timeoutMs: CALL_TIMEOUT_MS };
  }
}

/** A new run with the agent and context it starts from, or the run its idempotency key already had. */
export type StartedRun = { run: Run; created: true; agent: Agent; history: Message[] } | { run: Run; created: false };

/** The RunStore port (and run creation) for one organization. */
export class OrganizationStore implements RunStore {
  constructor(
    private readonly client: Client,
    private readonly md: Metadata,
  ) {}

  async getAgent(agentId: string, opts: Signalled): Promise<Agent> {
    const res = await callUnary(this.client.getAgent.bind(this.client), { agentId }, this.options(opts));
    return required(res.agent, "agent");
  }

  async contextMessages(agentId: string, conversationId: string | undefined, opts: Signalled): Promise<Message[]> {
    const res = await callUnary(this.client.listContextMessages.bind(this.client), { agentId, conversationId }, this.options(opts));
    return res.messages;
  }

  /**
   * Creates a run RUNNING and holding its conversation's lock, with the agent and context window
   * read under it (CreateRun with `acquire_lock`, `include_context` and `running`); or the run
   * its key already has.
   */
  async startRun(request: Omit<CreateRunRequest, "acquireLock" | "includeContext" | "running">, opts: Signalled): Promise<StartedRun> {
    const full = { ...request, acquireLock: true, includeContext: true, running: true };
    const res = await callUnary(this.client.createRun.bind(this.client), full, this.options(opts));
    const run = required(res.run, "run");
    return res.created ? { run, created: true, agent: required(res.agent, "agent"), history: res.contextMessages } : { run, created: false };
  }

  /** Deletes a run of this owner that did nothing yet, with its lock: what a refused request leaves behind. */
  async discardRun(runId: string, owner: string, opts: Signalled): Promise<void> {
    await callUnary(this.client.discardRun.bind(this.client), { runId, owner }, this.options(opts));
  }

  async getRun(runId: string, opts: Signalled): Promise<Run> {
    const res = await callUnary(this.client.getRun.bind(this.client), { runId }, this.options(opts));
    return required(res.run, "run");
  }

  async commitStep(step: Step, messages: Message[], opts: Signalled & { end?: RunEnding }): Promise<{ run: Run; messages: Message[]; ended: boolean }> {
    // CommitStep is idempotent by step id, so a retry after an unclear failure writes nothing twice.
    const res = await retryBusy(opts, () =>
      callUnary(this.client.commitStep.bind(this.client), { step, messages, inContextMessageIds: undefined, expectedOwner: undefined, endRun: opts.end && { error: undefined, ...opts.end } }, this.options(opts)),
    );
    return { run: required(res.run, "run"), messages: res.messages, ended: res.runEnded };
  }

  async transitionRun(change: RunTransition, opts: Signalled): Promise<{ won: boolean; run: Run }> {
    // A retried compare-and-set whose first try landed loses to itself; the caller sees the run as wanted.
    const res = await retryBusy(opts, () =>
      callUnary(
      this.client.transitionRun.bind(this.client),
      {
        runId: change.runId,
        expectedStatus: change.from,
        newStatus: change.to,
        stopReason: change.stopReason ?? 0,
        usage: change.usage,
        error: change.error,
        ttftMs: change.ttftMs,
        onlyIfLeaseExpired: change.onlyIfLeaseExpired ?? false,
      },
      this.options(opts),
      ),
    );
    return { won: res.won, run: required(res.run, "run") };
  }

  async renewLease(runId: string, owner: string, ttlMs: number, opts: Signalled): Promise<{ renewed: boolean; run: Run }> {
    const res = await callUnary(this.client.renewLease.bind(this.client), { runId, owner, ttlMs }, this.options(opts));
    return { renewed: res.renewed, run: required(res.run, "run") };
  }

  async expiredLeases(limit: number, opts: Signalled): Promise<Run[]> {
    return (await callUnary(this.client.listExpiredLeases.bind(this.client), { limit }, this.options(opts))).runs;
  }

  /** Appends messages to the agent's (or conversation's) context outside a run's steps. */
  async appendToContext(agentId: string, messages: Message[], opts: Signalled): Promise<void> {
    await callUnary(this.client.appendMessages.bind(this.client), { agentId, messages, addToContext: true }, this.options(opts));
  }

  async setBlockValue(agentId: string, label: string, value: string, opts: Signalled): Promise<MemoryBlock> {
    try {
      const res = await callUnary(
        this.client.updateMemoryBlock.bind(this.client),
        { agentId, label, block: MemoryBlock.fromPartial({ value }), updateMask: ["value"] },
        this.options(opts),
      );
      return required(res.block, "block");
    } catch (err) {
      // The block's own rules are the model's business: it sees them as an error return.
      if (err instanceof ServiceError && BLOCK_REFUSALS.has(err.reason ?? "")) throw new ToolRefusal(err.message);
      throw err;
    }
  }

  async searchMessages(q: MessageQuery, opts: Signalled): Promise<Message[]> {
    const res = await callUnary(
      this.client.searchMessages.bind(this.client),
      SearchMessagesRequest.fromPartial({
        agentId: q.agentId,
        query: q.query,
        roles: q.roles,
        startTime: q.startTime,
        endTime: q.endTime,
        limit: q.limit,
        order: SortOrder.SORT_ORDER_DESC,
      }),
      this.options(opts),
    );
    return res.messages;
  }

  private options(opts: Signalled) {
    return { signal: opts.signal, metadata: this.md, timeoutMs: CALL_TIMEOUT_MS };
  }
}

const BUSY = new Set([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED]);
const RETRIES = 5;

/** Retries a write the store could not take right now (overloaded, restarting), with backoff. */
async function retryBusy<T>(opts: Signalled, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= RETRIES || !(err instanceof ServiceError) || !BUSY.has(err.code) || opts.signal.aborted) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** n * (0.5 + Math.random())));
    }
  }
}

const BLOCK_REFUSALS = new Set(["BLOCK_READ_ONLY", "BLOCK_LIMIT_EXCEEDED", "BLOCK_NOT_FOUND"]);

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ServiceError(Status.INTERNAL, "INTERNAL", `the message store returned no ${what}`);
  return value;
}
