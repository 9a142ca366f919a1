#!/usr/bin/python3
"""Calls each Conduit service from Python through stubs generated from proto/.

Usage: /usr/bin/python3 examples/python/health_check.py AGENT_LOOP MESSAGE_STORE PROVIDER_ADAPTER
(addresses as host:port; defaults are the ports `make run` uses). Run ./generate.sh first.

For each service it checks grpc.health.v1 (the whole server and the service by name), then
calls one Conduit RPC through the generated stub and prints the status it answers. With an API
key in CONDUIT_API_KEY (`make run` writes one to .conduit/dev-api-key), it also creates an
agent in the message store and reads it back. Exits 1 unless every service is SERVING.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402
from conduit.agent.v1 import agent_loop_service_pb2, agent_loop_service_pb2_grpc  # noqa: E402
from conduit.provider.v1 import provider_adapter_service_pb2, provider_adapter_service_pb2_grpc  # noqa: E402
from conduit.agent.v1 import agent_pb2  # noqa: E402
from conduit.store.v1 import agents_pb2, message_store_service_pb2_grpc  # noqa: E402
from health.v1 import health_pb2, health_pb2_grpc  # noqa: E402


def probe_rpc(channel, name):
    """One call per service through the Conduit stubs: proves they encode and decode."""
    if name == "conduit.agent.v1.AgentLoopService":
        stub = agent_loop_service_pb2_grpc.AgentLoopServiceStub(channel)
        return lambda: stub.GetRun(agent_loop_service_pb2.GetRunRequest(run_id="run-00000000-0000-0000-0000-000000000000"), timeout=5)
    if name == "conduit.store.v1.MessageStoreService":
        stub = message_store_service_pb2_grpc.MessageStoreServiceStub(channel)
        return lambda: stub.ListAgents(agents_pb2.ListAgentsRequest(limit=10), timeout=5)
    stub = provider_adapter_service_pb2_grpc.ProviderAdapterServiceStub(channel)
    return lambda: stub.ListModels(provider_adapter_service_pb2.ListModelsRequest(), timeout=5)


def check(address, service):
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        statuses = [
            health_pb2.HealthCheckResponse.ServingStatus.Name(health.Check(health_pb2.HealthCheckRequest(service=s), timeout=5).status)
            for s in ("", service)
        ]
        try:
            probe_rpc(channel, service)()
            rpc = "OK"
        except grpc.RpcError as err:
            rpc = err.code().name
        print(f"{service} {address} health={statuses[0]} service_health={statuses[1]} probe_rpc={rpc}")
        return statuses == ["SERVING", "SERVING"]


def create_and_read_agent(address, api_key):
    """CreateAgent then GetAgent, authenticated with the caller's API key."""
    auth = (("authorization", f"Bearer {api_key}"),)
    with grpc.insecure_channel(address) as channel:
        store = message_store_service_pb2_grpc.MessageStoreServiceStub(channel)
        created = store.CreateAgent(
            agents_pb2.CreateAgentRequest(agent=agent_pb2.Agent(name="from-python", system="Hello from Python.")),
            metadata=auth,
            timeout=10,
        ).agent
        read = store.GetAgent(agents_pb2.GetAgentRequest(agent_id=created.id), metadata=auth, timeout=10).agent
        tools = ",".join(sorted(t.name for t in read.tools))
        print(f"agent name={read.name} type={agent_pb2.AgentType.Name(read.agent_type)} max_steps={read.max_steps} tools={tools}")
        return read.id == created.id


def main(argv):
    addresses = argv[1:] or ["127.0.0.1:50051", "127.0.0.1:50052", "127.0.0.1:50053"]
    services = [
        "conduit.agent.v1.AgentLoopService",
        "conduit.store.v1.MessageStoreService",
        "conduit.provider.v1.ProviderAdapterService",
    ]
    results = [check(address, service) for address, service in zip(addresses, services)]
    api_key = os.environ.get("CONDUIT_API_KEY")
    if api_key:
        results.append(create_and_read_agent(addresses[1], api_key))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
