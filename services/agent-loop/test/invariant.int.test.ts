import { describe, expect, it } from "vitest";
import { AgentType, MessageRole, ScriptedErrorClass, type ScriptedAction, type ScriptedTurn } from "@conduit/proto/agent/v1";
import { assembleStream, canonical, storedView } from "./support/assemble.js";
import { useChain } from "./support/chain.js";
import { kinds } from "./support/events.js";
import { userText } from "./support/input.js";
import { call, fail, say, scripted, think, turn, usage } from "./support/script.js";

const chain = useChain();

/** A small seeded PRNG (mulberry32), so a failure can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof prng>;

const ALPHABET = ["a", "b", " ", "é", "\"", "\\", "\n", "😀", "{", "}", "ß", "x", ":"];
const words = (rng: Rng) => Array.from({ length: 1 + rng.int(20) }, () => rng.pick(ALPHABET)).join("");
/** Splits a text at random points (never inside a surrogate pair). */
function chunks(rng: Rng, text: string): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    const n = 1 + rng.int(6);
    out.push(chars.slice(i, i + n).join(""));
    i += n;
  }
  return out.length > 0 ? out : [""];
}

function randomTurn(rng: Rng, type: AgentType, last: boolean): ScriptedTurn {
  const actions: ScriptedAction[] = [];
  if (rng.next() < 0.5) actions.push(think(chunks(rng, words(rng))));
  const memgpt = type === AgentType.AGENT_TYPE_MEMGPT;
  if (!memgpt && (last || rng.next() < 0.4)) actions.push(say(...chunks(rng, words(rng))));
  if (!last) {
    for (let i = 0, n = 1 + rng.int(2); i < n; i++) {
      const args = { ...(memgpt ? { thinking: words(rng), request_heartbeat: true } : {}), query: words(rng) };
      actions.push(call("conversation_search", chunks(rng, JSON.stringify(args))));
    }
  } else if (memgpt) {
    actions.push(call("send_message", chunks(rng, JSON.stringify({ thinking: words(rng), message: words(rng) }))));
  }
  if (rng.next() < 0.5) actions.push(usage(1 + rng.int(100), 1 + rng.int(100)));
  if (rng.next() < 0.12) actions.splice(rng.int(actions.length + 1), 0, fail(rng.pick([ScriptedErrorClass.SCRIPTED_ERROR_CLASS_UNAVAILABLE, ScriptedErrorClass.SCRIPTED_ERROR_CLASS_MALFORMED_RESPONSE])));
  return turn(...actions);
}

const INPUT_ROLES = new Set([MessageRole.MESSAGE_ROLE_USER, MessageRole.MESSAGE_ROLE_APPROVAL]);

describe("what was streamed is what was persisted", () => {
  it("holds for many random scripted runs, each ending with exactly one stop then usage", async () => {
    const key = await chain.newTenant();
    const seeds = Array.from({ length: 48 }, (_, i) => 1000 + i);
    for (let batch = 0; batch < seeds.length; batch += 8) {
      await Promise.all(
        seeds.slice(batch, batch + 8).map(async (seed) => {
          const rng = prng(seed);
          const type = rng.pick([AgentType.AGENT_TYPE_REACT, AgentType.AGENT_TYPE_MEMGPT]);
          const steps = 1 + rng.int(4);
          const turns = Array.from({ length: steps }, (_, i) => randomTurn(rng, type, i === steps - 1));
          const agent = await chain.createAgent(key, { agentType: type, ...scripted(...turns) });
          const streamTokens = rng.next() < 0.7;
          const { events, error } = await chain.send(key, { agentId: agent.id, messages: [userText(words(rng))], streamTokens });
          const where = `seed ${seed}`;
          expect(error, where).toBeUndefined();
          const k = kinds(events);
          expect(k[0], where).toBe("runStarted");
          expect(k.slice(-2), where).toEqual(["stop", "usage"]);
          expect(k.filter((x) => x === "stop" || x === "usage"), where).toHaveLength(2);
          expect(events.map((e) => Number(e.seqId)), where).toEqual(events.map((_, i) => i + 1));

          const streamed = assembleStream(events);
          const stored = (await chain.runMessages(key, agent.id, events[0]!.runId)).filter((m) => !INPUT_ROLES.has(m.role));
          expect(stored.map((m) => m.id), where).toEqual([...streamed.keys()]);
          for (const message of stored) {
            expect(canonical(streamed.get(message.id)!), `${where} ${message.id}`).toEqual(canonical(storedView(message, type)));
          }
        }),
      );
    }
  });
});
