import { runCli } from "./dispatch.js";

// `conduit … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? 0 : 1));

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// Exit once stdout is flushed, rather than wait for gRPC channels and stdin to let go.
process.stdout.write("", () => process.exit(code));
