import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { credentials, makeGenericClientConstructor, Metadata, type ServiceDefinition } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callStream, callUnary, checkHealth, healthClient, ServiceError, Status } from "@conduit/grpc-kit";
import { SERVICE_NAMES } from "@conduit/proto";
import { AgentLoopServiceService } from "@conduit/proto/agent/v1";
import { ProviderAdapterServiceService } from "@conduit/proto/provider/v1";
import { MessageStoreServiceClient, MessageStoreServiceService } from "@conduit/proto/store/v1";
import { createDatabase, reflectedFilesFor, reflectedServices, startService, type RunningService } from "@conduit/testing";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

/** `served`: the RPCs each service implements; every other RPC must answer UNIMPLEMENTED. */
const SERVICES = [
  {
    service: "agent-loop",
    name: SERVICE_NAMES.agentLoop,
    definition: AgentLoopServiceService,
    served: Object.keys(AgentLoopServiceService),
  },
  {
    service: "message-store",
    name: SERVICE_NAMES.messageStore,
    definition: MessageStoreServiceService,
    // Every RPC is served; each needs a credential.
    served: Object.keys(MessageStoreServiceService),
  },
  {
    service: "provider-adapter",
    name: SERVICE_NAMES.providerAdapter,
    definition: ProviderAdapterServiceService,
    served: Object.keys(ProviderAdapterServiceService),
  },
] satisfies ReadonlyArray<{ served: readonly string[] }>;

const ADMIN_KEY = randomBytes(24).toString("hex");
const INTERNAL_KEY = randomBytes(24).toString("hex");
const running = new Map<string, RunningService>();

beforeAll(async () => {
  const env = { CONDUIT_PORT: "0", CONDUIT_INTERNAL_KEY: INTERNAL_KEY };
  const dependencies = await Promise.all([
    startService("message-store", { ...env, DATABASE_URL: await createDatabase(inject("pgUrl")), CONDUIT_ADMIN_KEY: ADMIN_KEY }),
    startService("provider-adapter", env),
  ]);
  for (const proc of dependencies) running.set(proc.name, proc);
  // agent-loop calls the other two, so it starts once their addresses are known.
  const agentLoop = await startService("agent-loop", {
    ...env,
    NATS_URL: inject("natsUrl"),
    CONDUIT_MESSAGE_STORE_ADDRESS: addressOf("message-store"),
    CONDUIT_PROVIDER_ADAPTER_ADDRESS: addressOf("provider-adapter"),
  });
  running.set(agentLoop.name, agentLoop);
});

afterAll(async () => {
  await Promise.all([...running.values()].map((p) => p.stop()));
});

const addressOf = (service: string) => running.get(service)!.address;

describe.each(SERVICES)("$service", ({ service, name, definition, served }) => {
  it("reports SERVING for the server and for its service", async () => {
    const client = healthClient(addressOf(service));
    try {
      expect(await checkHealth(client, "")).toBe("SERVING");
      expect(await checkHealth(client, name)).toBe("SERVING");
    } finally {
      client.close();
    }
  });

  it("lists its service and health through reflection, with descriptors", async () => {
    const address = addressOf(service);
    expect(await reflectedServices(address)).toEqual(expect.arrayContaining([name, "grpc.health.v1.Health"]));
    expect(await reflectedFilesFor(address, name)).toBeGreaterThan(0);
  });

  it("answers UNIMPLEMENTED for every RPC it does not serve yet, and refuses unauthenticated calls to the rest", async () => {
    const defs = definition as unknown as ServiceDefinition;
    const Client = makeGenericClientConstructor(defs, name);
    const client = new Client(addressOf(service), credentials.createInsecure()) as unknown as Record<string, Function>;
    try {
      for (const [method, def] of Object.entries(defs)) {
        // Decoding no bytes gives the message's default value: a valid (empty) request.
        const request = def.requestDeserialize(Buffer.alloc(0));
        const fn = client[method]!.bind(client);
        const outcome = def.responseStream
          ? (async () => {
              for await (const _ of callStream(fn as never, request)) void _;
            })()
          : callUnary(fn as never, request);
        const err = await outcome.then(() => undefined, (e: unknown) => e);
        expect(err, `${name}/${method}`).toBeInstanceOf(ServiceError);
        const expected = (served as readonly string[]).includes(method)
          ? { code: Status.UNAUTHENTICATED, reason: "INVALID_API_KEY" }
          : { code: Status.UNIMPLEMENTED, reason: "NOT_IMPLEMENTED" };
        expect(err, `${name}/${method}`).toMatchObject(expected);
      }
    } finally {
      (client as unknown as { close(): void }).close();
    }
  });
});

/** A fresh organization and an API key for it, made with the admin credential. */
async function newApiKey(name: string): Promise<string> {
  const store = new MessageStoreServiceClient(addressOf("message-store"), credentials.createInsecure());
  const admin = new Metadata();
  admin.set("authorization", `Bearer ${ADMIN_KEY}`);
  try {
    const { organization } = await callUnary(store.createOrganization.bind(store), { name }, { metadata: admin });
    const { plaintextKey } = await callUnary(store.createApiKey.bind(store), { organizationId: organization!.id, name }, { metadata: admin });
    return plaintextKey;
  } finally {
    store.close();
  }
}

describe("polyglot callers", () => {
  beforeAll(async () => {
    await run(`${root}examples/python/generate.sh`, [], { cwd: root });
  });

  it("a Python client with stubs generated from proto/ reaches every service and uses the store with an API key", async () => {
    const plaintextKey = await newApiKey("python");
    const addresses = SERVICES.map((s) => addressOf(s.service));
    const { stdout } = await run("/usr/bin/python3", [`${root}examples/python/health_check.py`, ...addresses], {
      cwd: root,
      env: { ...process.env, CONDUIT_API_KEY: plaintextKey },
    });
    // Without a credential every served RPC refuses.
    expect(stdout.trim().split("\n")).toEqual([
      `${SERVICE_NAMES.agentLoop} ${addresses[0]} health=SERVING service_health=SERVING probe_rpc=UNAUTHENTICATED`,
      `${SERVICE_NAMES.messageStore} ${addresses[1]} health=SERVING service_health=SERVING probe_rpc=UNAUTHENTICATED`,
      `${SERVICE_NAMES.providerAdapter} ${addresses[2]} health=SERVING service_health=SERVING probe_rpc=UNAUTHENTICATED`,
      "agent name=from-python type=AGENT_TYPE_REACT max_steps=50 tools=conversation_search,memory_insert,memory_replace",
    ]);
  });

  it("a Python client streams a SendMessage run on the scripted model and prints every event in order", async () => {
    const { stdout } = await run(
      "/usr/bin/python3",
      [`${root}examples/python/send_message.py`, addressOf("agent-loop"), addressOf("message-store")],
      { cwd: root, env: { ...process.env, CONDUIT_API_KEY: await newApiKey("python-stream") } },
    );
    expect(stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^seq=1 run_started run=run-[0-9a-f-]{36}$/),
      'seq=2 reasoning delta="Let me "',
      'seq=3 reasoning delta="think."',
      'seq=4 assistant delta="Hello"',
      'seq=5 assistant delta=", world"',
      "seq=6 stop stop_reason=STOP_REASON_END_TURN",
      "seq=7 usage prompt_tokens=12 completion_tokens=5 total_tokens=17 context_tokens=12 step_count=1",
      "assistant text: Hello, world",
    ]);
  });

  it("a Python client answers an approval request and cancels a background run", async () => {
    const { stdout } = await run(
      "/usr/bin/python3",
      [`${root}examples/python/approve_and_cancel.py`, addressOf("agent-loop"), addressOf("message-store")],
      { cwd: root, env: { ...process.env, CONDUIT_API_KEY: await newApiKey("python-approve") } },
    );
    const runStarted = expect.stringMatching(/^seq=1 run_started run=run-[0-9a-f-]{36}$/);
    expect(stdout.trim().split("\n")).toEqual([
      "# ask for a memory edit that needs approval",
      runStarted,
      'seq=2 tool_call id=call_edit name=memory_replace arguments_delta="{\\"label\\": \\"human\\", \\"old_text\\": \\"Ada\\", \\"new_text\\": \\"Grace\\"}"',
      "seq=3 approval_request tool_calls=memory_replace",
      "seq=4 stop stop_reason=STOP_REASON_REQUIRES_APPROVAL",
      "seq=5 usage step_count=1",
      "# approve memory_replace",
      runStarted,
      "seq=2 tool_return tool_call_id=call_edit status=TOOL_RETURN_STATUS_SUCCESS",
      'seq=3 assistant delta="Noted, Grace."',
      "seq=4 stop stop_reason=STOP_REASON_END_TURN",
      "seq=5 usage step_count=1",
      "# start a slow background run, then cancel it",
      runStarted,
      'seq=2 assistant delta="Working"',
      "# cancel returned status=RUN_STATUS_CANCELLED",
      "seq=3 stop stop_reason=STOP_REASON_CANCELLED",
      "seq=4 usage step_count=1",
    ]);
  });
});

describe("configuration", () => {
  it("refuses to start on a bad setting, naming it, with exit code 1", async () => {
    const err = await run(process.execPath, ["--import", "tsx", "services/provider-adapter/src/main.ts"], {
      cwd: root,
      env: { ...process.env, CONDUIT_PORT: "http", CONDUIT_LOG_LEVEL: "loud" },
    }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('CONDUIT_PORT: expected a port number (got "http")');
    expect(err?.stderr).toContain("CONDUIT_LOG_LEVEL: expected one of");
  });
});

describe("shutdown", () => {
  it("each service stops on SIGTERM with exit code 0", async () => {
    const exits = await Promise.all(SERVICES.map(({ service }) => running.get(service)!.stop("SIGTERM")));
    for (const [i, { service }] of SERVICES.entries()) {
      expect(exits[i], service).toEqual({ code: 0, signal: null });
      expect(running.get(service)!.lines.some((l) => l.msg === "stopped"), service).toBe(true);
    }
  });
});
