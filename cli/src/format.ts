import { agentTypeToJSON, errorTypeToJSON, runStatusToJSON, stopReasonToJSON, type Agent, type Run, type Usage } from "@conduit/proto/agent/v1";

/** `RUN_STATUS_COMPLETED` → `completed`. */
const enumLabel = (json: string, prefix: string) => (json.startsWith(prefix) ? json.slice(prefix.length) : json).toLowerCase();

export const statusLabel = (s: Run["status"]) => enumLabel(runStatusToJSON(s), "RUN_STATUS_");
export const stopReasonLabel = (s: Run["stopReason"]) => enumLabel(stopReasonToJSON(s), "STOP_REASON_");
export const errorTypeLabel = (t: NonNullable<Run["error"]>["errorType"]) => enumLabel(errorTypeToJSON(t), "ERROR_TYPE_");
export const agentTypeLabel = (t: Agent["agentType"]) => enumLabel(agentTypeToJSON(t), "AGENT_TYPE_");

/** Cuts a text to one line of at most `max` characters. */
export function oneLine(text: string, max = 100): string {
  const first = text.trim().split("\n", 1)[0] ?? "";
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/** A tool call as one short line: `name(key: value, …)`, or the raw arguments when they are not a JSON object. */
export function callSignature(name: string, argumentsJson: string, max = 100): string {
  let args = argumentsJson.trim();
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      args = Object.entries(parsed)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(", ");
    }
  } catch {
    // Shown as the model wrote it: malformed arguments are worth seeing.
  }
  return `${name}(${oneLine(args, max)})`;
}

/** Rows as left-aligned columns; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

/** `key  value` lines; undefined values are left out. */
export function details(fields: Array<[string, string | undefined]>): string {
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

export const time = (d: Date | undefined) => d?.toISOString();

/** `12 prompt + 5 completion tokens, 1 step`; counts the provider did not report are left out. */
export function usageLabel(u: Usage | undefined): string | undefined {
  if (!u) return undefined;
  const parts = [
    u.promptTokens !== undefined ? `${u.promptTokens} prompt` : undefined,
    u.completionTokens !== undefined ? `${u.completionTokens} completion` : undefined,
  ].filter(Boolean);
  const tokens = parts.length ? `${parts.join(" + ")} tokens, ` : "";
  return `${tokens}${u.stepCount} step${u.stepCount === 1 ? "" : "s"}`;
}

export function runDetails(run: Run): string {
  return details([
    ["id", run.id],
    ["agent", run.agentId],
    ["conversation", run.conversationId],
    ["status", statusLabel(run.status)],
    ["stop reason", run.stopReason ? stopReasonLabel(run.stopReason) : undefined],
    ["background", run.background ? "yes" : "no"],
    ["error", run.error ? `${errorTypeLabel(run.error.errorType)}: ${run.error.message}` : undefined],
    ["usage", usageLabel(run.usage)],
    ["ttft", run.ttftMs !== undefined ? `${run.ttftMs} ms` : undefined],
    ["created", time(run.createdAt)],
    ["started", time(run.startedAt)],
    ["completed", time(run.completedAt)],
  ]);
}

export function runRows(runs: Run[]): string[][] {
  return [
    ["ID", "AGENT", "STATUS", "STOP REASON", "CREATED"],
    ...runs.map((r) => [r.id, r.agentId, statusLabel(r.status), r.stopReason ? stopReasonLabel(r.stopReason) : "-", time(r.createdAt) ?? "-"]),
  ];
}

export function agentDetails(agent: Agent): string {
  const head = details([
    ["id", agent.id],
    ["name", agent.name],
    ["description", agent.description || undefined],
    ["type", agentTypeLabel(agent.agentType)],
    ["model", agent.model || "(provider-adapter default)"],
    ["max steps", String(agent.maxSteps)],
    ["timezone", agent.timezone || undefined],
    ["created", time(agent.createdAt)],
    ["system", agent.system ? oneLine(agent.system) : undefined],
    ["tools", agent.tools.map((t) => (t.requiresApproval ? `${t.name} (approval)` : t.name)).join(", ") || "-"],
  ]);
  const blocks = agent.memoryBlocks.map((b) => `  ${b.label} (${b.value.length}/${b.limit}${b.readOnly ? ", read-only" : ""}): ${oneLine(b.value, 80)}`);
  return blocks.length ? `${head}memory\n${blocks.join("\n")}\n` : head;
}

export function agentRows(agents: Agent[]): string[][] {
  return [["ID", "NAME", "TYPE", "MODEL"], ...agents.map((a) => [a.id, a.name, agentTypeLabel(a.agentType), a.model || "-"])];
}
