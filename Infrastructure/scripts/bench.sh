#!/usr/bin/env bash
# bench.sh — `make bench`: builds recall-bench in release mode, starts throwaway Redis and
# PostgreSQL (with-services.sh), and runs every benchmark next to its reference tool against
# the same server in the same run (and starts fake-gemini for the ingest section). Load goes to 127.0.0.1 only, and every run is bounded by a
# request count. Results: printed, and kept in bench-results/latest.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash Infrastructure/scripts/install-deps.sh
echo "[bench] building recall-bench (release)" >&2
swift build -c release --product recall-bench >&2
swift build -c release --product recall-worker >&2
swift build -c release --product recall-server >&2
swift build -c release --product fake-gemini >&2
bin="$(swift build -c release --show-bin-path)"
mkdir -p bench-results
RECALL_BENCH_BIN="$bin" bash Infrastructure/scripts/with-services.sh \
    bash Infrastructure/scripts/bench-run.sh | tee bench-results/latest.txt
