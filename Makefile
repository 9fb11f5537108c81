# ekslab — the two commands a newcomer needs are `make lab` and `make test`; the rest are their parts.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# npm scripts and these targets run on the Node 24 that the `node` devDependency brings.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export NX_NO_CLOUD := true
export NX_TUI := false
export TESTCONTAINERS_RYUK_DISABLED ?= true
ifeq ($(CI),true)
export NX_DAEMON := false
endif

kubeconfig: ## print the lab's kubeconfig path (export KUBECONFIG=$$(make -s kubeconfig))
	@node apps/cli/bin/ekslab.mjs kubeconfig

.PHONY: help lab lab-down lab-status kubeconfig test deps docker images generate check-generated buf-lint lint typecheck build unit

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

lab: ## the full lab: Docker, images (cached), etcd x3 + NATS x3 + apiserver x3 behind HAProxy over three AZs, healthy; writes .ekslab/kubeconfig
	@bash infra/scripts/lab-up.sh

lab-down: ## stop the lab (keeps images and data volumes; PURGE=1 deletes the volumes)
	@bash infra/scripts/lab-down.sh $(if $(PURGE),--purge,)

lab-status: ## show the lab's containers by AZ
	@bash infra/scripts/lab-status.sh

test: deps docker ## everything CI runs: generate, lint, typecheck, build, images, unit + integration tests
	@$(MAKE) --no-print-directory $(if $(filter true,$(CI)),check-generated,generate) buf-lint
	@nx run-many -t lint typecheck build --outputStyle=static
	@bash infra/scripts/build-images.sh etcd nats haproxy app
	@echo "==> tests (unit and integration, real etcd and NATS containers)"
	@EKSLAB_TEST_SUMMARY=1 vitest run

deps: node_modules/.package-lock.json ## npm ci when node_modules is missing or stale

node_modules/.package-lock.json: package.json package-lock.json apps/cli/package.json
	@echo "==> npm ci"
	@npm ci --no-audit --no-fund
	@touch $@

docker: ## make sure a Docker daemon answers (installs and starts one when root on Debian)
	@bash infra/scripts/docker-bootstrap.sh

images: ## build the lab's images (debian base seeded locally when it cannot be pulled)
	@bash infra/scripts/build-images.sh

generate: deps ## regenerate libs/proto/src/gen from proto/
	@nx run proto:generate --outputStyle=static

check-generated: deps ## fail when libs/proto/src/gen is stale
	@nx run proto:check-generated --outputStyle=static

buf-lint: deps ## lint the protos
	@nx run proto:buf-lint --outputStyle=static

lint: deps ## eslint with module boundaries
	@nx run-many -t lint --outputStyle=static

typecheck: deps ## tsc --noEmit for every project
	@nx run-many -t typecheck --outputStyle=static

build: deps ## bundle every app into dist/apps/<name>/main.mjs
	@nx run-many -t build --outputStyle=static

unit: deps ## only the tests that need no Docker
	@vitest run --exclude '**/*.int.test.ts'
