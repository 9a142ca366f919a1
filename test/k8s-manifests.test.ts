import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { checkManifests } from "../scripts/check-k8s.mjs";

const manifests = new URL("../deploy/k8s/", import.meta.url).pathname;
const check = checkManifests as (dir: string) => string[];
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of deploy/k8s with one file changed. */
function broken(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "conduit-k8s-"));
  copies.push(dir);
  cpSync(manifests, dir, { recursive: true });
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), "utf8")));
  return dir;
}

describe("Kubernetes manifests", () => {
  it("hold together: selectors, ports, gRPC health probes, config and secret references", () => {
    expect(check(manifests)).toEqual([]);
  });

  it.each([
    ["a probe on a port the pod does not expose", "agent-loop.yaml", (t: string) => t.replace("grpc: { port: 50051 }", "grpc: { port: 50099 }"), "probes port 50099"],
    ["a Service whose selector matches no pods", "message-store.yaml", (t: string) => t.replace("selector: { app.kubernetes.io/name: message-store }", "selector: { app.kubernetes.io/name: nobody }"), "matches no Deployment"],
    ["a missing ConfigMap", "config.yaml", (t: string) => t.replace("name: conduit-config", "name: other-config"), "no ConfigMap conduit-config"],
    ["an unknown secret key", "provider-adapter.yaml", (t: string) => t.replace("key: internal-key", "key: internal-keys"), "unknown secret conduit-secrets/internal-keys"],
    ["a file the kustomization does not list", "kustomization.yaml", (t: string) => t.replace("  - agent-loop.yaml\n", ""), "does not list agent-loop.yaml"],
    ["invalid YAML", "namespace.yaml", (t: string) => `${t}\n  bad: [`, "namespace.yaml:"],
  ])("catch %s", (_what, file, change, problem) => {
    expect(check(broken(file, change)).join("\n")).toContain(problem);
  });
});
