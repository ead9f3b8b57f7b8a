# JitAdmission — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
KUBE_SANDBOX_HOME ?= $(abspath ../shared/kube-sandbox)
export KUBE_SANDBOX_HOME
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all build test test-unit test-integration demo bench clean

all: build

build:
	$(DOTNET) build JitAdmission.sln -c $(CONFIG)

## Every test: unit, HTTP contract, and integration/end-to-end against a real API server (kube-sandbox).
test: build
	$(DOTNET) test JitAdmission.sln -c $(CONFIG) --no-build --logger "console;verbosity=normal"

test-unit: build
	$(DOTNET) test tests/JitAdmission.Core.Tests -c $(CONFIG) --no-build
	$(DOTNET) test tests/JitAdmission.Webhook.Tests -c $(CONFIG) --no-build

test-integration: build
	$(DOTNET) test tests/JitAdmission.Integration.Tests -c $(CONFIG) --no-build

## The whole story on a local API server: held apply, approval with kubectl jit, single use, audit trail.
demo:
	CONFIG=$(CONFIG) bash demo/demo.sh

clean:
	$(DOTNET) clean JitAdmission.sln -c $(CONFIG)
	rm -rf artifacts bench/results
