# JitAdmission — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
KUBE_SANDBOX_HOME ?= $(abspath ../shared/kube-sandbox)
export KUBE_SANDBOX_HOME
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all build test test-unit test-integration fuzz faults demo bench clean publish

all: build

build:
	$(DOTNET) build JitAdmission.sln -c $(CONFIG)

## Every test: unit, HTTP contract, and integration/end-to-end against a real API server (kube-sandbox). The
## end-to-end tests start the Native AOT executable that ships ($(PUBLISH_DIR)/jit-admission, built by `publish`).
## A test that makes no progress for TEST_HANG_TIMEOUT ends the run, naming the test, instead of stalling CI.
TEST_HANG_TIMEOUT ?= 10m
TEST_RUN = $(DOTNET) test -c $(CONFIG) --no-build --blame-hang --blame-hang-timeout $(TEST_HANG_TIMEOUT) --blame-hang-dump-type none
test: build publish
	JIT_ADMISSION_BINARY=$(abspath $(PUBLISH_DIR))/jit-admission $(TEST_RUN) JitAdmission.sln --logger "console;verbosity=minimal"

## The unit projects, one per layer: nothing outside the test process (loopback sockets at most), no API server,
## no jit-admission binary, no kubectl or helm. Everything else is in tests/JitAdmission.Integration.Tests.
UNIT_TESTS = $(patsubst %,tests/JitAdmission.%.Tests,Core Webhook Cli Controller Kubernetes)
test-unit: build
	@set -e; for project in $(UNIT_TESTS); do echo "$(TEST_RUN) $$project"; $(TEST_RUN) $$project; done

test-integration: build publish
	JIT_ADMISSION_BINARY=$(abspath $(PUBLISH_DIR))/jit-admission $(TEST_RUN) tests/JitAdmission.Integration.Tests

## The differential AdmissionReview reader test and the guard's random-patch test at FUZZ_CASES cases each (make test
## runs 20,000 from a fixed seed); FUZZ_SEED picks other cases. A failure names the seed that reproduces it.
FUZZ_CASES ?= 1000000
FUZZ_SEED ?= $(shell date +%s)
fuzz: build
	JIT_FUZZ_CASES=$(FUZZ_CASES) JIT_FUZZ_SEED=$(FUZZ_SEED) $(TEST_RUN) tests/JitAdmission.Webhook.Tests --filter "FullyQualifiedName~AdmissionReviewReaderDifferentialTests"
	JIT_FUZZ_CASES=$(FUZZ_CASES) JIT_FUZZ_SEED=$(FUZZ_SEED) $(TEST_RUN) tests/JitAdmission.Core.Tests --filter "FullyQualifiedName~RequestGuardFuzzTests"

## The fault scenarios (tests/JitAdmission.Integration.Tests/Faults: contention across replicas, API server/etcd
## crashes, replica and leader kills, a slow or failing API path, stalled and expired watches, certificate rotation and
## a wrong caBundle, resource pressure) for FAULT_ROUNDS rounds with FAULT_CONTENDERS concurrent calls, FAULT_HANDOVERS
## leader hand-overs and FAULT_PENDING pending requests, then the fuzz tests at FAULT_FUZZ_CASES cases; a report in
## faults/results/<UTC time>/report.md (docs/reliability.md). make test runs each scenario once, small.
## The long setting: make faults FAULT_ROUNDS=20 FAULT_HANDOVERS=100.
FAULT_ROUNDS ?= 5
FAULT_CONTENDERS ?= 100
FAULT_SECONDS ?= 20
FAULT_HANDOVERS ?= 10
FAULT_PENDING ?= 10000
FAULT_FUZZ_CASES ?= 200000
faults: build publish
	@set -e; dir=faults/results/$$(date -u +%Y%m%d-%H%M%S); mkdir -p $$dir; seed=$${JIT_FAULT_SEED:-$$RANDOM}; \
	{ echo "# Fault scenarios: $$(date -u +%FT%TZ), $$(git describe --always --dirty), seed $$seed, $(FAULT_ROUNDS) rounds, $(FAULT_CONTENDERS) contenders, $(FAULT_SECONDS) s sustained, $(FAULT_HANDOVERS) hand-overs, $(FAULT_PENDING) pending"; echo; \
	  echo "| Scenario | Rounds | Load | Injected | Allowed | Denied | Failed | Approvals used | Invariants checked (API server) | Violations |"; \
	  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"; } > $$dir/report.md; \
	JIT_FAULT_ROUNDS=$(FAULT_ROUNDS) JIT_FAULT_CONTENDERS=$(FAULT_CONTENDERS) JIT_FAULT_SECONDS=$(FAULT_SECONDS) JIT_FAULT_HANDOVERS=$(FAULT_HANDOVERS) JIT_FAULT_PENDING=$(FAULT_PENDING) JIT_FAULT_SEED=$$seed JIT_FAULT_REPORT=$(abspath .)/$$dir/report.md \
	  JIT_ADMISSION_BINARY=$(abspath $(PUBLISH_DIR))/jit-admission $(TEST_RUN) tests/JitAdmission.Integration.Tests --filter "FullyQualifiedName~.Faults."; \
	$(MAKE) -s fuzz FUZZ_CASES=$(FAULT_FUZZ_CASES) FUZZ_SEED=$$seed; \
	{ echo; echo "Fuzz: $(FAULT_FUZZ_CASES) AdmissionReview bodies and $(FAULT_FUZZ_CASES) ApprovalRequest patches from seed $$seed: passed."; } >> $$dir/report.md; \
	cat $$dir/report.md

## The whole story on a local API server: held apply, approval with kubectl jit, single use, audit trail.
demo:
	CONFIG=$(CONFIG) bash demo/demo.sh

clean:
	$(DOTNET) clean JitAdmission.sln -c $(CONFIG)
	rm -rf artifacts bench/results

## ---- Packaging: the app without a container engine, the image, the chart's plain manifests ----
.PHONY: manifests chart-crds chart-monitoring

PUBLISH_DIR ?= artifacts/publish
IMAGE ?= ghcr.io/jitadmission/jit-admission
VERSION ?= $(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' charts/jit-admission/Chart.yaml)
# docker or podman; empty = whichever answers `info` first.
CONTAINER_ENGINE ?=
# helm 4: $HELM, else the one on PATH, else the kube-sandbox's (fetched once by its tools.sh).
HELM ?= $(shell command -v helm 2>/dev/null || bash "$(KUBE_SANDBOX_HOME)/tools.sh" 2>/dev/null | sed -n 's/^HELM=//p')

## The Dockerfile's publish step, into $(PUBLISH_DIR): the Native AOT executable $(PUBLISH_DIR)/jit-admission for
## this machine's OS and CPU (what the image ships, `make test`'s end-to-end tests start and `make bench` measures).
## The native link needs clang (or gcc: CPP_LINKER=gcc) and zlib headers (Debian: clang zlib1g-dev).
CPP_LINKER ?= $(if $(shell command -v clang 2>/dev/null),clang,gcc)
publish:
	$(DOTNET) publish src/JitAdmission/JitAdmission.csproj --configuration Release --use-current-runtime -p:CppCompilerAndLinker=$(CPP_LINKER) --output $(PUBLISH_DIR)

## The container image $(IMAGE):$(VERSION). Fails with a clear message when no container engine runs here:
## a target that "succeeds" without producing an image would mislead a release pipeline.
image:
	@engine="$(CONTAINER_ENGINE)"; \
	if [ -z "$$engine" ]; then \
	  for candidate in docker podman; do \
	    if command -v $$candidate >/dev/null 2>&1 && $$candidate info >/dev/null 2>&1; then engine=$$candidate; break; fi; \
	  done; \
	fi; \
	if [ -z "$$engine" ]; then \
	  echo "make image: no container engine answers here (tried docker and podman; set CONTAINER_ENGINE=...)." >&2; \
	  echo "            Build the app without one with 'make publish' ($(PUBLISH_DIR)), or build the image elsewhere." >&2; \
	  exit 1; \
	fi; \
	set -x; \
	$$engine build --tag $(IMAGE):$(VERSION) \
	  --build-arg VERSION=$(VERSION) \
	  --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
	  --build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) \
	  .

## Copies crds/ into the chart (the chart must ship them byte-identical; a test checks it).
chart-crds:
	rm -f charts/jit-admission/crds/*.yaml
	cp crds/*.yaml charts/jit-admission/crds/

## Copies deploy/monitoring's alerts and dashboard into the chart (metrics.prometheusRule, metrics.grafanaDashboard;
## the chart must ship them byte-identical; a test checks it).
chart-monitoring:
	cp deploy/monitoring/jit-admission-alerts.yaml deploy/monitoring/jit-admission-dashboard.json charts/jit-admission/files/

## Syncs the chart's CRDs and monitoring files and re-renders deploy/manifests from the chart with default values.
manifests: chart-crds chart-monitoring
	@test -n "$(HELM)" || { echo "make manifests: helm 4 not found (set HELM=...)" >&2; exit 1; }
	HELM="$(HELM)" deploy/manifests/render.sh

## ---- Performance (not part of `make test` or CI) ----
## The real webhook over HTTPS on loopback next to a bare-Kestrel baseline (wrk, installed when missing), memory with
## 1,000 policies and 10,000 cached requests, approval-to-return latency on a kube-sandbox API server, and the
## BenchmarkDotNet micro-benchmarks; ~10 min on a quiet machine. Report in bench/results/<time>/report.{md,json}. See docs/benchmarks.md.
BENCH_ARGS ?=
bench:
	bash bench/run.sh $(BENCH_ARGS)
