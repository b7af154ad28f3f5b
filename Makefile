# Entry points for developers and CI. Kept thin on purpose: the logic lives in the scripts
# under Infrastructure/scripts/. `make` alone lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SCRIPTS := Infrastructure/scripts
SWIFT ?= swift
# `make test FILTER=ConfigKitTests` runs `swift test --filter ConfigKitTests`.
FILTER ?=
RELEASE_PRODUCTS := recall-server recall-worker recall recall-top

.PHONY: help deps build run test services-up services-down services-status release bench clean

help: ## list the targets
	@echo "usage: make TARGET"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

deps: ## install the Debian packages the build, tests and services need
	@bash $(SCRIPTS)/install-deps.sh

build: deps ## swift build (debug)
	$(SWIFT) build

run: deps ## build and run recall-server (it reads .env itself); a first start with an empty store ingests docs/
	$(SWIFT) build --product recall-server
	exec "$$($(SWIFT) build --show-bin-path)/recall-server" --ingest-if-empty docs

# --no-parallel: the process and lease tests (worker kill -9, beat takeover, Redis restarts) measure
# real time; run side by side on 2 cores they starve each other's timers and fail at random.
test: ## swift test with throwaway Redis + PostgreSQL started and stopped around it (FILTER=...)
	@bash $(SCRIPTS)/with-services.sh $(SWIFT) test --no-parallel $(if $(FILTER),--filter '$(FILTER)')

services-up: ## start Redis + PostgreSQL for development and write .services/env
	@bash $(SCRIPTS)/services.sh up

services-down: ## stop the development Redis + PostgreSQL (their data is kept)
	@bash $(SCRIPTS)/services.sh down

services-status: ## show whether the development services run
	@bash $(SCRIPTS)/services.sh status

release: deps ## build the release binaries of recall-server, recall-worker, recall, recall-top
	@set -e; for product in $(RELEASE_PRODUCTS); do \
		echo "$(SWIFT) build -c release --product $$product"; \
		$(SWIFT) build -c release --product $$product; \
	done

bench: ## run the benchmarks (Infrastructure/scripts/bench.sh)
	@if [ -f $(SCRIPTS)/bench.sh ]; then \
		bash $(SCRIPTS)/bench.sh; \
	else \
		echo "No benchmarks are defined yet ($(SCRIPTS)/bench.sh does not exist)."; \
	fi

clean: ## remove the build products
	$(SWIFT) package clean
