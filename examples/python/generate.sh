#!/usr/bin/env bash
# Generates the Python stubs of proto/ (and of grpc.health.v1) into examples/python/gen with
# Debian's protoc and grpc_python_plugin, matching Debian's python3-grpcio runtime.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/gen"
health_dir="$root/node_modules/grpc-health-check/proto"

rm -rf "$out"
mkdir -p "$out"
cd "$root"
protoc -I proto -I "$health_dir" -I /usr/include \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  $(find proto -name '*.proto' | sort) "$health_dir/health/v1/health.proto"
# Packages need __init__.py to import as conduit.agent.v1 etc.
find "$out" -type d -exec touch {}/__init__.py \;
echo "python stubs: $out"
