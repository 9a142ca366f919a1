import type { Bus, BusSubscription } from "@conduit/bus";
import { inSpan } from "@conduit/tracing";
import type { Logger } from "@conduit/logging";
import type { Run } from "@conduit/proto/agent/v1";
import type { Clock, ExternalTools, IdGenerator, ModelClient, Signalled } from "../core/ports.js";
import { strategyFor } from "../core/strategies/index.js";
import type { OrganizationStore, StoreConnection } from "../adapters/store-client.js";
import type { RunRequest } from "../handlers/run-request.js";
import { executeRun } from "./execute-run.js";
import { idempotencyKeyOf, prepareRun, type PreparedRun } from "./prepare-run.js";
import type { RunEventLog } from "./event-log.js";
import { RunChannel } from "./run-channel.js";
import { recordRunEnd, runMetrics } from "./run-metrics.js";
import { ANY_CANCEL, cancelSubject, endedSubject, runIdOf } from "./run-subjects.js";

export interface RunHostDeps {
  store: StoreConnection;
  bus: Bus;
  eventLog: RunEventLog;
  model: ModelClient;
  external: ExternalTools;
  ids: IdGenerator;
  clock: Clock;
  log: Logger;
  /** This replica's name, recorded as the owner of the runs it executes. */
  replicaId: string;
  leaseTtlMs: number;
  /** How long a write at a run's end may take once the run itself was cancelled. */
  persistTimeoutMs: number;
}

/** A cancel that arrives while its run is still being created here is applied when it registers. */
const EARLY_CANCEL_TTL_MS = 60_000;

/** A run this replica executes. */
export interface ActiveRun {
  readonly run: Run;
  readonly channel: RunChannel;
  readonly background: boolean;
  /** Aborts every layer of the run: model call, tools, waits. */
  cancel(): void;
  readonly done: Promise<Run>;
}

/** What a caller attaches to: a live run here, or a run that ended or runs on another replica. */
export type Attachment = { kind: "live"; active: ActiveRun } | { kind: "elsewhere"; run: Run };

/** The runs of this replica: starts them, lets callers attach, re-attaches re-sent input. */
export class RunHost {
  private readonly active = new Map<string, ActiveRun>();
  /** Runs by idempotency key while they start or run, so a re-sent input finds its run. */
  private readonly byKey = new Map<string, Promise<Attachment>>();
  private readonly earlyCancels = new Map<string, { organizationId: string; until: number }>();
  private readonly cancels: BusSubscription;

  constructor(private readonly deps: RunHostDeps) {
    this.cancels = deps.bus.subscribe(ANY_CANCEL, (m) => this.cancelLocal(runIdOf(m.subject), new TextDecoder().decode(m.data)));
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** The run, when this replica executes it. */
  local(runId: string): ActiveRun | undefined {
    return this.active.get(runId);
  }

  /** The ids of this replica's runs, for lease renewal. */
  runIds(): string[] {
    return [...this.active.keys()];
  }

  /** Asks the run's owner, wherever it is, to cancel it; the owner ignores it for another organization. */
  requestCancel(runId: string, organizationId: string): void {
    if (!this.cancelLocal(runId, organizationId)) this.deps.bus.publish(cancelSubject(runId), new TextEncoder().encode(organizationId));
  }

  /** Resolves when the run ends (its owner says so) or after `timeoutMs`, whichever is first. */
  whenEnded(runId: string, timeoutMs: number): { ended: Promise<void>; dispose(): void } {
    const local = this.active.get(runId);
    let sub: BusSubscription | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      if (local) void local.done.finally(resolve);
      else sub = this.deps.bus.subscribe(endedSubject(runId), () => resolve());
    });
    const dispose = () => {
      clearTimeout(timer);
      sub?.unsubscribe();
    };
    void ended.finally(dispose);
    return { ended, dispose };
  }

  start(organizationId: string, req: RunRequest, opts: Signalled): Promise<Attachment> {
    const key = idempotencyKeyOf(req);
    const scopedKey = key && `${organizationId}/${req.agentId}/${key}`;
    const existing = scopedKey ? this.byKey.get(scopedKey) : undefined;
    if (existing) return existing;
    const store = this.deps.store.forOrganization(organizationId);
    const starting = this.create(store, req, key, opts);
    if (scopedKey) {
      this.byKey.set(scopedKey, starting);
      const forget = () => this.byKey.delete(scopedKey);
      starting.then((a) => {
        if (a.kind === "live") void a.active.done.finally(forget);
        else forget();
      }, forget);
    }
    return starting;
  }

  /** Cancels every run of this replica and waits for their terminal events. */
  async cancelAll(): Promise<void> {
    this.cancels.unsubscribe();
    const runs = [...this.active.values()];
    for (const r of runs) r.cancel();
    await Promise.allSettled(runs.map((r) => r.done));
  }

  /** True when the run is here (now cancelled); otherwise remembered briefly in case it is being created. */
  private cancelLocal(runId: string, organizationId: string): boolean {
    const run = this.active.get(runId);
    if (run) {
      if (run.run.organizationId === organizationId) run.cancel();
      return true;
    }
    const now = Date.now();
    for (const [id, early] of this.earlyCancels) if (early.until < now) this.earlyCancels.delete(id);
    this.earlyCancels.set(runId, { organizationId, until: now + EARLY_CANCEL_TTL_MS });
    return false;
  }

  /**
   * Creates the run (holding its conversation's lock) and reads, under that lock, the agent and
   * context it starts from, in one store call; then checks the request against them. A refused
   * request's run is discarded at once, so it leaves nothing behind.
   */
  private async create(store: OrganizationStore, req: RunRequest, key: string | undefined, opts: Signalled): Promise<Attachment> {
    const started = await store.startRun(
      {
        agentId: req.agentId,
        conversationId: req.conversationId,
        background: req.background,
        idempotencyKey: key,
        owner: this.deps.replicaId,
        leaseTtlMs: this.deps.leaseTtlMs,
      },
      opts,
    );
    // Re-sent input: the run it started, whatever became of it.
    if (!started.created) return this.attachTo(started.run);
    const { run } = started;
    let prepared: PreparedRun;
    try {
      prepared = prepareRun(started.agent, started.history, req, this.deps.ids);
    } catch (err) {
      await this.discard(store, run.id);
      throw err;
    }
    const controller = new AbortController();
    const log = this.deps.eventLog;
    const channel = new RunChannel(run.id, req.pingIntervalMs, req.background ? (e) => log.append(e) : undefined);
    const done = executeRun(
      {
        store,
        model: this.deps.model,
        external: this.deps.external,
        ids: this.deps.ids,
        clock: this.deps.clock,
        log: this.deps.log,
        persistSignal: () => AbortSignal.timeout(this.deps.persistTimeoutMs),
        trace: (name, attributes, fn) => inSpan(name, attributes, fn),
      },
      {
        run,
        agent: prepared.agent,
        strategy: strategyFor(prepared.agent.agentType),
        history: prepared.history,
        input: prepared.input,
        ...(prepared.answers ? { resume: { assistant: prepared.answers.pending.assistant, answers: prepared.answers.answers } } : {}),
        clientTools: req.clientTools,
        maxSteps: req.maxSteps ?? (prepared.agent.maxSteps || 50),
        streamTokens: req.streamTokens,
      },
      channel,
      controller.signal,
    ).then((final) => {
      recordRunEnd(final);
      return final;
    }).finally(() => {
      runMetrics.active.dec();
      this.active.delete(run.id);
      this.deps.bus.publish(endedSubject(run.id), new Uint8Array());
    });
    const active: ActiveRun = { run, channel, background: req.background, cancel: () => controller.abort(), done };
    this.active.set(run.id, active);
    runMetrics.active.inc();
    if (this.earlyCancels.get(run.id)?.organizationId === run.organizationId) controller.abort();
    this.earlyCancels.delete(run.id);
    return { kind: "live", active };
  }

  /** A run that cannot be discarded now is left to its lease: the sweeper ends it and frees the lock. */
  private async discard(store: OrganizationStore, runId: string): Promise<void> {
    try {
      await store.discardRun(runId, this.deps.replicaId, { signal: AbortSignal.timeout(this.deps.persistTimeoutMs) });
    } catch (err) {
      this.deps.log.error({ err, runId }, "refused run could not be discarded; its lease will end it");
    }
  }

  private attachTo(run: Run): Attachment {
    const local = this.active.get(run.id);
    return local ? { kind: "live", active: local } : { kind: "elsewhere", run };
  }
}
