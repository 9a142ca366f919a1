import { ServiceError, Status } from "@conduit/grpc-kit";

/**
 * One line for a failed call: `NOT_FOUND AGENT_NOT_FOUND: agent agent-… not found`, with the
 * error's metadata the message does not already say (`active_run_id=…`).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof ServiceError)) return err instanceof Error ? err.message : String(err);
  const code = Status[err.code] ?? String(err.code);
  const head = err.reason && err.reason !== code ? `${code} ${err.reason}` : code;
  const extra = Object.entries(err.metadata)
    .filter(([, v]) => v && !err.message.includes(v))
    .map(([k, v]) => `${k}=${v}`);
  const message = unreachable(err) ?? err.message.replace(/\s+/g, " ").trim();
  return `${head}: ${message}${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

/** grpc-js's wording for a server it cannot connect to, cut to its cause. */
function unreachable(err: ServiceError): string | undefined {
  const cause = /No connection established\. Last error: (?:Error: )?(.*?)(?:\. Resolution note:.*)?$/s.exec(err.message)?.[1];
  return cause === undefined ? undefined : `cannot reach the server: ${cause.trim()}`;
}
