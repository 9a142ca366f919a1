#!/usr/bin/env node
// Checks deploy/k8s without a cluster or kubectl: every file parses, the kustomization lists
// them all, and the references between objects hold (selectors, ports, probes, config keys,
// secrets), with the fields a Deployment needs to be scheduled and health-checked.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Secrets made outside the manifests (deploy/k8s/README.md says how), with the keys used. */
export const EXTERNAL_SECRETS = {
  "conduit-secrets": ["internal-key", "admin-key", "database-url"],
  "conduit-provider-keys": [],
};
const NAMESPACE = "conduit";

/** The problems found in a folder of manifests; empty when it is fine. */
export function checkManifests(dir) {
  const problems = [];
  const objects = [];
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      if (doc.errors.length > 0) problems.push(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value) objects.push({ file, value });
    }
  }
  const at = (o) => `${o.file}: ${o.value.kind ?? "?"}/${o.value.metadata?.name ?? "?"}`;
  const byKind = (kind) => objects.filter((o) => o.value.kind === kind);

  for (const o of objects) {
    const v = o.value;
    if (!v.apiVersion || !v.kind) problems.push(`${o.file}: an object without apiVersion or kind`);
    if (v.kind === "Kustomization") continue;
    if (!v.metadata?.name) problems.push(`${at(o)}: no metadata.name`);
    if (v.kind !== "Namespace" && v.metadata?.namespace !== NAMESPACE) problems.push(`${at(o)}: namespace must be ${NAMESPACE}`);
  }

  const kustomization = byKind("Kustomization")[0];
  if (!kustomization) problems.push("no kustomization.yaml");
  else {
    const listed = new Set(kustomization.value.resources ?? []);
    for (const file of files.filter((f) => f !== "kustomization.yaml")) if (!listed.has(file)) problems.push(`kustomization.yaml does not list ${file}`);
    for (const file of listed) if (!files.includes(file)) problems.push(`kustomization.yaml lists ${file}, which does not exist`);
  }

  const configMaps = new Map(byKind("ConfigMap").map((o) => [o.value.metadata.name, Object.keys(o.value.data ?? {})]));
  const deployments = byKind("Deployment");
  for (const d of deployments) checkDeployment(d, at(d), configMaps, problems);

  for (const s of byKind("Service")) {
    const selector = s.value.spec?.selector ?? {};
    const target = deployments.find((d) => matches(selector, d.value.spec?.template?.metadata?.labels));
    if (!target) {
      problems.push(`${at(s)}: its selector matches no Deployment's pods`);
      continue;
    }
    const ports = containerPorts(target.value);
    for (const p of s.value.spec?.ports ?? []) {
      const t = p.targetPort ?? p.port;
      if (!ports.some((c) => c.name === t || c.containerPort === t)) problems.push(`${at(s)}: targetPort ${t} is not a port of ${target.value.metadata.name}`);
    }
  }
  return problems;
}

function checkDeployment(d, where, configMaps, problems) {
  const spec = d.value.spec ?? {};
  const labels = spec.template?.metadata?.labels;
  if (!matches(spec.selector?.matchLabels ?? {}, labels)) problems.push(`${where}: selector.matchLabels do not match the pod template's labels`);
  const ports = containerPorts(d.value);
  for (const c of spec.template?.spec?.containers ?? []) {
    const name = `${where} container ${c.name}`;
    if (!c.image) problems.push(`${name}: no image`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${name}: needs cpu and memory requests`);
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const port = c[probe]?.grpc?.port;
      if (port === undefined) problems.push(`${name}: ${probe} must use gRPC health`);
      else if (!ports.some((p) => p.containerPort === port)) problems.push(`${name}: ${probe} probes port ${port}, which it does not expose`);
    }
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef && !configMaps.has(from.configMapRef.name)) problems.push(`${name}: no ConfigMap ${from.configMapRef.name}`);
      if (from.secretRef && !(from.secretRef.name in EXTERNAL_SECRETS)) problems.push(`${name}: unknown Secret ${from.secretRef.name}`);
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm && !(configMaps.get(cm.name) ?? []).includes(cm.key)) problems.push(`${name}: env ${e.name} refers to missing ${cm.name}/${cm.key}`);
      const sec = e.valueFrom?.secretKeyRef;
      if (sec && !(EXTERNAL_SECRETS[sec.name] ?? []).includes(sec.key)) problems.push(`${name}: env ${e.name} refers to unknown secret ${sec.name}/${sec.key}`);
    }
  }
}

const containerPorts = (deployment) => (deployment.spec?.template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
const matches = (selector, labels) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(root, "deploy", "k8s");
  const problems = checkManifests(dir);
  for (const p of problems) console.error(`k8s: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(`k8s: ok (${relative(root, dir)})`);
}
