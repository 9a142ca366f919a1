import { createServer, type AddressInfo } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

// Between freePort() and the server's own bind another process may take the
// port; the server then fails with one of these, and another port is tried.
const PORT_TAKEN = /address already in use|could not bind/i;

/** Runs `launch` on a free port, retrying with a new port if that one was taken meanwhile. */
export async function onFreePort<T>(launch: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(port);
    } catch (error) {
      if (attempt >= attempts || !PORT_TAKEN.test(String(error))) throw error;
    }
  }
}
