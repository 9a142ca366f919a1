# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NPM_STAMP := node_modules/.package-lock.json
WORKSPACE_MANIFESTS := package.json package-lock.json cli/package.json $(wildcard libs/*/package.json services/*/package.json)

.PHONY: help run test install system-deps gen typecheck lint build breaking clean

help:
	@echo "make run    start agent-loop, message-store and provider-adapter on embedded defaults"
	@echo "make test   install what the tests need and run every test"

## npm dependencies; `npm ci` also generates the stubs from proto/ (the "prepare" script).
install: $(NPM_STAMP)
$(NPM_STAMP): $(WORKSPACE_MANIFESTS)
	npm ci --no-audit --no-fund

## Postgres, nats-server and the Python gRPC toolchain from Debian packages, when missing.
system-deps:
	@scripts/install-system-deps.sh

gen: install
	npm run gen

run: install
	npm start

typecheck: install
	npm run typecheck

lint: install
	npm run lint

build: install
	npm run build

## buf breaking against the local main branch (skipped where there is none).
breaking: install
	@if git rev-parse --verify -q main >/dev/null; then npm run breaking; else echo "breaking: no main branch here; skipped"; fi

test: install system-deps
	npm run gen
	npm run typecheck
	npm run lint
	$(MAKE) --no-print-directory breaking
	npm run build
	NO_COLOR=1 npx vitest run --reporter=default --reporter=json --outputFile.json=vitest-report.json

clean:
	rm -rf node_modules libs/*/node_modules services/*/node_modules services/*/dist libs/proto/src/gen examples/python/gen vitest-report.json
