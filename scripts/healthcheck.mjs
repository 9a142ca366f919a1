#!/usr/bin/env node
// Container health check: `node scripts/healthcheck.mjs HOST:PORT [service]` calls
// grpc.health.v1.Health/Check and exits 0 only on SERVING, else 1 (Docker reserves 2).
// The images have no grpc_health_probe, so this uses only packages the services already
// install as production dependencies.
import { credentials, loadPackageDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

const DEADLINE_MS = 3_000;

const [address, service = ""] = process.argv.slice(2);
if (!address) {
  console.log("usage: node scripts/healthcheck.mjs HOST:PORT [service]");
  process.exit(1);
}

const definition = loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
const { Health } = loadPackageDefinition(definition).grpc.health.v1;
const client = new Health(address, credentials.createInsecure());
const target = `${address}${service ? ` ${service}` : ""}`;

client.check({ service }, { deadline: Date.now() + DEADLINE_MS }, (err, response) => {
  client.close();
  if (err) {
    console.log(`${target}: ${err.details || err.message}`);
    process.exit(1);
  }
  console.log(`${target}: ${response.status}`);
  process.exit(response.status === "SERVING" ? 0 : 1);
});
