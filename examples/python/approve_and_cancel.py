#!/usr/bin/python3
"""Answers an approval request and cancels a run, from Python.

Usage: CONDUIT_API_KEY=<key> /usr/bin/python3 examples/python/approve_and_cancel.py [AGENT_LOOP [MESSAGE_STORE]]
(addresses as host:port; defaults are the ports `make run` uses). Run ./generate.sh first.

1. An agent whose `memory_replace` tool needs a human's approval is asked to change its memory:
   the run stops with an approval request; this client approves the call, and the next run
   executes it and answers.
2. A background run of a slow (scripted) model is started with StartRun and cancelled with
   CancelRun; following it with StreamRun shows how it ended.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from send_message import connection, describe, user_message  # noqa: E402  (same folder)
from conduit.agent.v1 import agent_loop_service_pb2, agent_loop_service_pb2_grpc  # noqa: E402
from conduit.agent.v1 import agent_pb2, message_pb2, run_pb2  # noqa: E402
from conduit.store.v1 import agents_pb2, message_store_service_pb2_grpc  # noqa: E402


def scripted(*turns):
    return agent_pb2.ModelSettings(scripted=agent_pb2.ScriptedModelSettings(turns=list(turns)))


def approval_agent():
    """Calls memory_replace (which needs approval) on its first turn, then answers."""
    edit = agent_pb2.ScriptedAction(
        tool_call=agent_pb2.ScriptedToolCall(
            id="call_edit",
            name="memory_replace",
            argument_chunks=['{"label": "human", "old_text": "Ada", "new_text": "Grace"}'],
        )
    )
    answer = agent_pb2.ScriptedAction(text=agent_pb2.ScriptedText(chunks=["Noted, Grace."]))
    return agent_pb2.Agent(
        name="python-approval",
        model="conduit/scripted",
        model_settings=scripted(agent_pb2.ScriptedTurn(actions=[edit]), agent_pb2.ScriptedTurn(actions=[answer])),
        memory_blocks=[agent_pb2.MemoryBlock(label="human", value="Name: Ada", limit=200)],
        tools=[agent_pb2.Tool(name="memory_replace", requires_approval=True)],
    )


def slow_agent():
    """Says one word, then waits a minute: long enough to be cancelled."""
    actions = [
        agent_pb2.ScriptedAction(text=agent_pb2.ScriptedText(chunks=["Working"])),
        agent_pb2.ScriptedAction(delay_ms=60_000),
    ]
    return agent_pb2.Agent(name="python-slow", model="conduit/scripted", model_settings=scripted(agent_pb2.ScriptedTurn(actions=actions)))


def stream(events):
    """Prints each event; returns the approval request, if one came."""
    request = None
    for event in events:
        print(describe(event), flush=True)
        if event.WhichOneof("payload") == "approval_request":
            request = event.approval_request
    return request


def main(argv):
    settings = connection(argv)
    if settings is None:
        return 2
    agent_loop_address, store_address, auth = settings
    try:
        with grpc.insecure_channel(store_address) as channel:
            store = message_store_service_pb2_grpc.MessageStoreServiceStub(channel)
            approver = store.CreateAgent(agents_pb2.CreateAgentRequest(agent=approval_agent()), metadata=auth, timeout=10).agent
            slow = store.CreateAgent(agents_pb2.CreateAgentRequest(agent=slow_agent()), metadata=auth, timeout=10).agent

        with grpc.insecure_channel(agent_loop_address) as channel:
            loop = agent_loop_service_pb2_grpc.AgentLoopServiceStub(channel)

            print("# ask for a memory edit that needs approval")
            send = agent_loop_service_pb2.SendMessageRequest(agent_id=approver.id, messages=[user_message("Call me Grace.")], stream_tokens=True)
            request = stream(loop.SendMessage(send, metadata=auth, timeout=60))
            if request is None:
                print("error: no approval request came", file=sys.stderr)
                return 1
            decisions = [
                message_pb2.Approval(decision=message_pb2.ApprovalDecision(tool_call_id=call.id, approve=True))
                for call in request.tool_calls
            ]
            print("# approve " + ",".join(call.name for call in request.tool_calls))
            answer = agent_loop_service_pb2.SendMessageRequest(
                agent_id=approver.id,
                messages=[message_pb2.MessageCreate(role=message_pb2.MESSAGE_ROLE_APPROVAL, approvals=decisions)],
                stream_tokens=True,
            )
            stream(loop.SendMessage(answer, metadata=auth, timeout=60))

            print("# start a slow background run, then cancel it")
            start = agent_loop_service_pb2.StartRunRequest(agent_id=slow.id, messages=[user_message("Take your time.")], stream_tokens=True)
            run = loop.StartRun(start, metadata=auth, timeout=10).run
            follow = loop.StreamRun(agent_loop_service_pb2.StreamRunRequest(run_id=run.id, starting_after=0), metadata=auth, timeout=60)
            for event in follow:
                print(describe(event), flush=True)
                if event.WhichOneof("payload") == "assistant":
                    cancelled = loop.CancelRun(agent_loop_service_pb2.CancelRunRequest(run_id=run.id), metadata=auth, timeout=10).run
                    print(f"# cancel returned status={run_pb2.RunStatus.Name(cancelled.status)}")
    except grpc.RpcError as err:
        print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
