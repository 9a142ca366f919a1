#!/usr/bin/python3
"""Runs an agent from Python and prints its stream of RunEvents, one line per event.

Usage: CONDUIT_API_KEY=<key> /usr/bin/python3 examples/python/send_message.py [AGENT_LOOP [MESSAGE_STORE]]
(addresses as host:port; defaults are the ports `make run` uses). Run ./generate.sh first.

It creates an agent in the message store on the built-in `conduit/scripted` model, whose
script streams some reasoning, then text, then reports usage; sends the agent a user message
with SendMessage(stream_tokens=True); and prints each event as it arrives, e.g.

    seq=1 run_started run=run-…
    seq=2 reasoning delta="Let me "
    seq=6 stop stop_reason=STOP_REASON_END_TURN

then the assistant's text joined from its deltas. A non-OK gRPC status (bad key, unknown
agent, …) is printed to stderr and the exit code is 1; so is a run that ends with an error event.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402
from conduit.agent.v1 import agent_loop_service_pb2, agent_loop_service_pb2_grpc  # noqa: E402
from conduit.agent.v1 import agent_pb2, message_pb2, run_event_pb2, run_pb2  # noqa: E402
from conduit.store.v1 import agents_pb2, message_store_service_pb2_grpc  # noqa: E402

USAGE_FIELDS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "context_tokens",
)


def scripted_agent():
    """An agent on `conduit/scripted`: one model turn that thinks, answers and reports usage."""
    turn = agent_pb2.ScriptedTurn(
        actions=[
            agent_pb2.ScriptedAction(reasoning=agent_pb2.ScriptedReasoning(chunks=["Let me ", "think."])),
            agent_pb2.ScriptedAction(text=agent_pb2.ScriptedText(chunks=["Hello", ", world"])),
            agent_pb2.ScriptedAction(usage=run_pb2.Usage(prompt_tokens=12, completion_tokens=5)),
        ]
    )
    return agent_pb2.Agent(
        name="python-send-message",
        system="You are a helpful assistant.",
        model="conduit/scripted",
        model_settings=agent_pb2.ModelSettings(scripted=agent_pb2.ScriptedModelSettings(turns=[turn])),
    )


def user_message(text):
    return message_pb2.MessageCreate(
        role=message_pb2.MESSAGE_ROLE_USER,
        content=[message_pb2.ContentPart(text=message_pb2.TextContent(text=text))],
    )


def describe(event):
    """One stable line per event: its kind and the fields that matter to a reader."""
    kind = event.WhichOneof("payload")
    if kind is None:  # a payload kind newer than these stubs
        return f"seq={event.seq_id} unknown"
    value = getattr(event, kind)
    if kind == "run_started":
        detail = f"run={value.run.id}"
    elif kind in ("reasoning", "assistant"):
        which = value.WhichOneof("content")  # `delta` when streaming tokens, `text` otherwise
        detail = f"{which}={json.dumps(getattr(value, which))}" if which else ""
    elif kind == "tool_call":
        detail = f"id={value.tool_call_id} name={value.name} arguments_delta={json.dumps(value.arguments_delta)}"
    elif kind == "tool_return":
        detail = f"tool_call_id={value.tool_call_id} status={message_pb2.ToolReturnStatus.Name(value.status)}"
    elif kind == "approval_request":
        detail = "tool_calls=" + ",".join(call.name for call in value.tool_calls)
    elif kind == "error":
        detail = f"error_type={run_pb2.ErrorType.Name(value.error_type)} message={json.dumps(value.message)}"
    elif kind == "stop":
        detail = f"stop_reason={run_pb2.StopReason.Name(value.stop_reason)}"
    elif kind == "usage":
        # Unknown counts are unset, not 0: print only what the run reported.
        counts = [f"{name}={getattr(value, name)}" for name in USAGE_FIELDS if value.HasField(name)]
        detail = " ".join(counts + [f"step_count={value.step_count}"])
    else:
        detail = ""
    return f"seq={event.seq_id} {kind} {detail}".rstrip()


def connection(argv):
    """(agent-loop address, message-store address, auth metadata) from argv and CONDUIT_API_KEY;
    None, after saying why, when there is no key."""
    api_key = os.environ.get("CONDUIT_API_KEY")
    if not api_key:
        print("set CONDUIT_API_KEY (make run writes one to .conduit/dev-api-key)", file=sys.stderr)
        return None
    agent_loop_address = argv[1] if len(argv) > 1 else "127.0.0.1:50051"
    store_address = argv[2] if len(argv) > 2 else "127.0.0.1:50052"
    return agent_loop_address, store_address, (("authorization", f"Bearer {api_key}"),)


def main(argv):
    settings = connection(argv)
    if settings is None:
        return 2
    agent_loop_address, store_address, auth = settings

    try:
        with grpc.insecure_channel(store_address) as channel:
            store = message_store_service_pb2_grpc.MessageStoreServiceStub(channel)
            agent = store.CreateAgent(agents_pb2.CreateAgentRequest(agent=scripted_agent()), metadata=auth, timeout=10).agent

        with grpc.insecure_channel(agent_loop_address) as channel:
            agent_loop = agent_loop_service_pb2_grpc.AgentLoopServiceStub(channel)
            request = agent_loop_service_pb2.SendMessageRequest(
                agent_id=agent.id,
                messages=[user_message("Hi! Who are you?")],
                stream_tokens=True,
            )
            answer, failed = [], False
            # A server stream: iterate until the server closes it (after `stop` and `usage`).
            for event in agent_loop.SendMessage(request, metadata=auth, timeout=60):
                print(describe(event), flush=True)
                kind = event.WhichOneof("payload")
                if kind == "assistant":
                    answer.append(event.assistant.delta or event.assistant.text)
                failed = failed or kind == "error"
    except grpc.RpcError as err:
        print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
        return 1

    print(f"assistant text: {''.join(answer)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
