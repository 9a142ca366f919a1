#!/usr/bin/env bash
# Installs what the tests need from Debian packages, only when it is missing:
# PostgreSQL (throwaway clusters), nats-server, and the Python gRPC toolchain for the
# polyglot client test. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
# The well-known types (google/protobuf/*.proto) that proto/ imports, for protoc's -I /usr/include.
[ -f /usr/include/google/protobuf/timestamp.proto ] || missing+=(libprotobuf-dev)
[ -x /usr/bin/grpc_python_plugin ] || missing+=(protobuf-compiler-grpc)
/usr/bin/python3 -c "import grpc" >/dev/null 2>&1 || missing+=(python3-grpcio)
/usr/bin/python3 -c "import google.protobuf" >/dev/null 2>&1 || missing+=(python3-protobuf)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
