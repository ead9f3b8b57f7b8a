#!/usr/bin/env bash
# make bench: publishes jit-admission as it ships (Native AOT, artifacts/publish) and builds the benchmark tool (Release), installs wrk when it is missing (Debian; falls
# back to the .NET load driver when it cannot), then runs `jit-bench run`, which starts a kube-sandbox API server,
# the real jit-admission binary against it and a bare-Kestrel baseline, measures them on 127.0.0.1 only, and
# writes bench/results/<UTC time>/report.{md,json} (a copy in bench/results/latest/). See docs/benchmarks.md.
# Extra arguments go to `jit-bench run` (e.g. BENCH_ARGS="--driver dotnet --no-micro").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export KUBE_SANDBOX_HOME=${KUBE_SANDBOX_HOME:-$(cd "$ROOT/.." && pwd)/shared/kube-sandbox}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"

# kube-sandbox needs openssl, curl and python3; pinning needs taskset (util-linux).
missing=()
for cmd in openssl curl python3 taskset; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=(); for cmd in "${missing[@]}"; do case "$cmd" in taskset) pkgs+=(util-linux) ;; *) pkgs+=("$cmd") ;; esac; done
  echo "bench: installing ${pkgs[*]}"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${pkgs[@]}"
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is not installed; installing it (apt-get install wrk)"
  if ! { command -v apt-get >/dev/null 2>&1 && $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk; } >/dev/null 2>&1; then
    echo "bench: could not install wrk: the .NET load driver is used instead (see the report's method line)"
  fi
fi

echo "bench: building (Release) and publishing the Native AOT executable (make publish)"
make -s publish > /dev/null
dotnet build bench/JitAdmission.Benchmarks/JitAdmission.Benchmarks.csproj -c Release -v quiet -nologo

# Server on CPU 0, everything else (load driver, orchestrator, API server, etcd) on CPU 1; one core: share it.
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ "$cores" -ge 2 ]; then server=0; client=1; else server=0; client=0; fi
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $cores cores; server on CPU $server, client on CPU $client"
exec taskset -c "$client" dotnet bench/JitAdmission.Benchmarks/bin/Release/net10.0/jit-bench.dll run \
  --repo "$ROOT" --server-cpus "$server" --client-cpus "$client" "$@"
