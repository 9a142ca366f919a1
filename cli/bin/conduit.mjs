#!/usr/bin/env node
// The workspace packages are TypeScript source, so the CLI runs through tsx like the services.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
