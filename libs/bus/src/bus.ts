/**
 * The message bus port: fire-and-forget subjects with NATS semantics (tokens separated by
 * dots, `*` matches one token, `>` the rest). Distributed mode uses NATS; embedded mode an
 * in-process bus with the same behaviour.
 */
export interface Bus {
  readonly kind: "nats" | "in-process";
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, onMessage: (message: BusMessage) => void): BusSubscription;
  /** Resolves once everything published so far has reached the server. */
  flush(signal?: AbortSignal): Promise<void>;
  /** Throws while the bus cannot deliver (for health). */
  check(signal: AbortSignal): Promise<void>;
  /** Delivers what is in flight, then closes. */
  close(): Promise<void>;
}

export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
}

export interface BusSubscription {
  unsubscribe(): void;
}

/** Whether a NATS subject pattern matches a concrete subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split(".");
  const got = subject.split(".");
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === ">") return got.length > i;
    if (i >= got.length) return false;
    if (token !== "*" && token !== got[i]) return false;
  }
  return want.length === got.length;
}
