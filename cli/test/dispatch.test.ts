import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Metadata } from "@grpc/grpc-js";
import { ServiceError, Status } from "@conduit/grpc-kit";
import { runCli } from "../src/dispatch.js";
import { describeError } from "../src/errors.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout: { write: (t: string) => ((stdout += t), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (t: string) => ((stderr += t), true) } as unknown as NodeJS.WritableStream,
    env: {},
    cwd: "/nonexistent",
  });
  return { code, stdout, stderr };
}

describe("usage", () => {
  it("prints the commands for --help and exits 0", async () => {
    const { code, stdout } = await cli("--help");
    expect(code).toBe(0);
    for (const command of ["agents create", "agents list", "agents show", "chat", "send", "runs list", "runs show", "runs cancel", "runs follow"]) {
      expect(stdout).toContain(command);
    }
  });

  it("prints each command's options for its --help", async () => {
    const { code, stdout } = await cli("runs", "follow", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("usage: conduit runs follow <run>");
    expect(stdout).toContain("--after N");
    expect(stdout).toContain("--api-key KEY");
  });

  it.each([
    [["agents", "create", "--nme", "x"], /^conduit: unknown option --nme \(see `conduit agents create --help`\)\n$/],
    [["agents", "create"], /--name is required/],
    [["send", "agent-1"], /missing <text>/],
    [["runs", "show", "a", "b"], /unexpected argument "b"/],
    [["runs", "frob"], /unknown command "runs frob"/],
    [["frob"], /unknown command "frob"/],
    [[], /usage: conduit <command>/],
    [["agents", "list"], /no API key/],
  ])("exits 2 with one line on stderr for bad usage: %j", async (argv, message) => {
    const { code, stderr, stdout } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
  });

  it("takes connection flags before the command too", async () => {
    const { code, stderr } = await cli("--api-key", "k", "--address", "127.0.0.1:1", "runs", "show", "run-1");
    expect(code).toBe(1);
    expect(stderr).toMatch(/^conduit: UNAVAILABLE: cannot reach the server: .*127\.0\.0\.1:1\n$/);
  });
});

describe("describeError", () => {
  it("gives code, reason, message, and the metadata the message leaves out", () => {
    const err = new ServiceError(Status.FAILED_PRECONDITION, "CONVERSATION_BUSY", "the agent is busy", { metadata: { active_run_id: "run-9" } });
    expect(describeError(err)).toBe("FAILED_PRECONDITION CONVERSATION_BUSY: the agent is busy (active_run_id=run-9)");
    const notFound = new ServiceError(Status.NOT_FOUND, "AGENT_NOT_FOUND", "agent agent-1 not found", { metadata: { agent_id: "agent-1" } });
    expect(describeError(notFound)).toBe("NOT_FOUND AGENT_NOT_FOUND: agent agent-1 not found");
  });

  it("does not repeat a reason that is the code", () => {
    expect(describeError(ServiceError.fromGrpc({ code: Status.INTERNAL, details: "boom", metadata: new Metadata() }))).toBe("INTERNAL: boom");
  });
});
