import type { ProviderRoute } from "./routes.js";

/** One request the provider server received. */
export interface RecordedRequest {
  /** Undefined for a path no provider serves. */
  readonly route: ProviderRoute | undefined;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; the raw text if it was not JSON; undefined if empty. */
  readonly body: unknown;
  /** performance.now() when the request arrived. */
  readonly receivedAt: number;
  /** performance.now() when the reply ended or the connection closed, whichever came first. */
  readonly closedAt: number | undefined;
  /** "client" when the client closed the connection before the reply ended (e.g. a cancel). */
  readonly closedBy: "client" | "server" | undefined;
}

export type MutableRecordedRequest = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

interface Waiter {
  readonly route: ProviderRoute;
  readonly index: number;
  resolve(request: RecordedRequest): void;
  reject(error: Error): void;
}

/** Requests in arrival order, with promises for the ones still to come and for their closes. */
export class RequestLog {
  readonly all: RecordedRequest[] = [];
  readonly #byRoute = new Map<ProviderRoute, RecordedRequest[]>();
  readonly #cursors = new Map<ProviderRoute, number>();
  readonly #closeWaiters = new WeakMap<RecordedRequest, Array<(at: number) => void>>();
  #waiters: Waiter[] = [];
  #stopped: Error | undefined;

  add(request: RecordedRequest): void {
    this.all.push(request);
    if (request.route === undefined) return;
    const ofRoute = this.#ofRoute(request.route);
    ofRoute.push(request);
    const index = ofRoute.length - 1;
    const due = this.#waiters.filter((w) => w.route === request.route && w.index === index);
    this.#waiters = this.#waiters.filter((w) => !due.includes(w));
    for (const waiter of due) waiter.resolve(request);
  }

  /** The request after the one the previous next(route) gave, whether it arrived already or not. */
  next(route: ProviderRoute): Promise<RecordedRequest> {
    const index = this.#cursors.get(route) ?? 0;
    this.#cursors.set(route, index + 1);
    return this.nth(route, index);
  }

  /** The request with this 0-based index among the route's requests. */
  nth(route: ProviderRoute, index: number): Promise<RecordedRequest> {
    const arrived = this.#ofRoute(route)[index];
    if (arrived) return Promise.resolve(arrived);
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => this.#waiters.push({ route, index, resolve, reject }));
  }

  markClosed(request: MutableRecordedRequest, at: number, by: "client" | "server"): void {
    if (request.closedAt !== undefined) return;
    request.closedAt = at;
    request.closedBy = by;
    for (const resolve of this.#closeWaiters.get(request) ?? []) resolve(at);
    this.#closeWaiters.delete(request);
  }

  closed(request: RecordedRequest): Promise<number> {
    if (request.closedAt !== undefined) return Promise.resolve(request.closedAt);
    return new Promise((resolve) => {
      const waiting = this.#closeWaiters.get(request) ?? [];
      waiting.push(resolve);
      this.#closeWaiters.set(request, waiting);
    });
  }

  /** Rejects every wait for a request that has not arrived: none will arrive any more. */
  stop(reason: Error): void {
    this.#stopped = reason;
    for (const waiter of this.#waiters) waiter.reject(reason);
    this.#waiters = [];
  }

  #ofRoute(route: ProviderRoute): RecordedRequest[] {
    let requests = this.#byRoute.get(route);
    if (!requests) this.#byRoute.set(route, (requests = []));
    return requests;
  }
}
