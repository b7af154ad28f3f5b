#!/usr/bin/env bash
# bench-run.sh — the benchmark runs themselves; called by bench.sh under with-services.sh,
# which exports RECALL_TEST_REDIS_URL. Prints a table of Recall's figure, the reference
# tool's figure, their ratio and the target.
set -euo pipefail
bench="${RECALL_BENCH_BIN:?run through make bench}/recall-bench"
redis_url="${RECALL_TEST_REDIS_URL:?run through make bench}"
hostport="${redis_url#redis://}"; hostport="${hostport%%/*}"
redis_host="${hostport%:*}"; redis_port="${hostport##*:}"
requests="${RECALL_BENCH_REQUESTS:-200000}"

# The figure of one RESULT line.
result() { awk -v name="$1" '$1 == "RESULT" && $2 == name { print $3 }' <<<"$2"; }

# Mean requests/s of redis-benchmark's SET and GET lines.
redis_benchmark() {
    redis-benchmark -h "$redis_host" -p "$redis_port" -c 50 -P "$1" -t set,get -n "$2" -q 2>/dev/null \
        | tr '\r' '\n' | awk '/requests per second/ { sum += $2; n++ } END { printf "%.0f", sum / n }'
}

row() { # name recall reference target-ratio
    awk -v n="$1" -v r="$2" -v b="$3" -v t="$4" 'BEGIN {
        ratio = (b > 0) ? r / b : 0
        printf "%-44s %12.0f %12.0f %8.2f  %s\n", n, r, b, ratio, (ratio >= t ? "ok (target >= " t ")" : "BELOW target " t)
    }'
}

echo "Recall benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, Redis at $redis_host:$redis_port"
echo
printf "%-44s %12s %12s %8s  %s\n" "benchmark" "recall" "reference" "ratio" "verdict"

echo "[bench] redis-benchmark -c 50 -P 1 (reference)" >&2
ref_single=$(redis_benchmark 1 "$requests")
echo "[bench] redis-benchmark -c 50 -P 16 (reference)" >&2
ref_pipelined=$(redis_benchmark 16 $((requests * 4)))
echo "[bench] recall-bench redis" >&2
out=$("$bench" redis --url "$redis_url" --callers 50 --requests "$requests" --pipeline 16)
row "RedisKit SET/GET, 50 callers vs -c 50 -P 1" "$(result redis_single_ops "$out")" "$ref_single" 0.8
row "RedisKit pipelined x16 vs -c 50 -P 16" "$(result redis_pipelined_ops "$out")" "$ref_pipelined" 0.5

echo "[bench] recall-bench redis-cache" >&2
out=$("$bench" redis-cache --url "$redis_url" --callers 50 --requests "$requests" --batch 16)
row "RedisCache get/set, 50 callers vs -c 50 -P 1" "$(result cache_single_ops "$out")" "$ref_single" 0.8
row "RedisCache getMany/setMany x16 vs -P 16" "$(result cache_batched_ops "$out")" "$ref_pipelined" 0.5

echo "[bench] recall-bench memory-cache" >&2
out=$("$bench" memory-cache)
printf "%-44s %12.0f %12s %8s  %s\n" "InProcessTTLCache hits/s, 1 thread" "$(result memory_cache_hits_1_thread "$out")" "-" "-" "target >= 5000000"
printf "%-44s %12.0f %12s %8s  %s\n" "InProcessTTLCache hits/s, 2 threads contending" "$(result memory_cache_hits_2_threads "$out")" "-" "-" "reported"

# Jobs: enqueues/s, then one `recall-worker run --concurrency 2` draining them (its own figure,
# printed by --exit-when-idle), then enqueue-to-start latency with an idle worker listening.
# The worker runs in an empty directory so that no developer .env leaks into the measurement.
jobs_dir=$(mktemp -d)
worker() { cd "$jobs_dir" && exec env REDIS_URL="$redis_url" JOB_KEY_PREFIX="$1" WORKER_METRICS_PORT=0 LOG_LEVEL=error \
    "$RECALL_BENCH_BIN/recall-worker" run --concurrency 2 --diagnostic-tasks "${@:2}"; }
job_count="${RECALL_BENCH_JOBS:-50000}"
prefix="bench-jobs-$$"
echo "[bench] recall-bench jobs-enqueue ($job_count no-op jobs)" >&2
out=$("$bench" jobs-enqueue --url "$redis_url" --prefix "$prefix" --requests "$job_count" --callers 16)
printf "%-44s %12.0f %12s %8s  %s\n" "jobs enqueued/s, 16 callers" "$(result jobs_enqueued_per_second "$out")" "-" "-" "reported"
echo "[bench] recall-worker run --concurrency 2 draining them" >&2
drained=$( (worker "$prefix" --exit-when-idle) | awk -F'jobs_per_second=' '/drained/ { print $2 }')
row "recall-worker drain no-op jobs/s vs Celery" "${drained:-0}" 730 10
echo "[bench] enqueue-to-start latency, idle worker" >&2
latency_prefix="bench-latency-$$"
(worker "$latency_prefix") & worker_pid=$!
sleep 1
out=$("$bench" jobs-latency --url "$redis_url" --prefix "$latency_prefix" --samples 300)
kill -TERM "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null || true
printf "%-44s %12s %12s %8s  %s\n" "enqueue to start p50 / p99 (ms), idle queue" \
    "$(result jobs_start_latency_p50_ms "$out") / $(result jobs_start_latency_p99_ms "$out")" "-" "-" "reported"
rm -rf "$jobs_dir"

# --- Ingest: the pipeline against fake-gemini with 100 ms per request -------------------------
# The bound is what the latency allows: concurrency x batch size chunks per 0.1 s.
ingest_concurrency="${RECALL_BENCH_INGEST_CONCURRENCY:-4}"
ingest_batch="${RECALL_BENCH_INGEST_BATCH:-100}"
fake_log="$(mktemp)"
"${RECALL_BENCH_BIN}/fake-gemini" --port 0 --latency-ms 100 >"$fake_log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; rm -f "$fake_log"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$fake_log" && break; sleep 0.1; done
fake_url="$(grep -o 'http://127.0.0.1:[0-9]*' "$fake_log" | head -1)"
[[ -n "$fake_url" ]] || { echo "fake-gemini did not start: $(cat "$fake_log")" >&2; exit 1; }
echo "[bench] recall-bench ingest against fake-gemini at $fake_url (100 ms latency)" >&2
out=$("$bench" ingest --gemini-url "$fake_url" --latency-ms 100 --concurrency "$ingest_concurrency" --batch-size "$ingest_batch")
row "ingest chunks/s, ${ingest_concurrency} x ${ingest_batch} vs bound" "$(result ingest_chunks_per_second "$out")" "$(result ingest_bound_chunks_per_second "$out")" 0.9
# Two documents at once, as recall-worker --concurrency 2 runs two jobs: one document's chunking
# and last answers overlap the other's requests; requests in flight stay capped at the concurrency.
out=$("$bench" ingest --gemini-url "$fake_url" --latency-ms 100 --concurrency "$ingest_concurrency" --batch-size "$ingest_batch" --documents-at-once 2)
row "ingest chunks/s, ${ingest_concurrency} x ${ingest_batch}, 2 documents at once" "$(result ingest_chunks_per_second "$out")" "$(result ingest_bound_chunks_per_second "$out")" 0.9
# Small batches, where the latency rather than JSON work dominates; twice the concurrency
# should give about twice the throughput.
for concurrency in 4 8; do
    out=$("$bench" ingest --gemini-url "$fake_url" --latency-ms 100 --concurrency "$concurrency" --batch-size 10 \
        --documents 1 --chunks-per-document 2000)
    row "ingest chunks/s, ${concurrency} x 10 vs bound" "$(result ingest_chunks_per_second "$out")" "$(result ingest_bound_chunks_per_second "$out")" 0.9
done
kill "$fake_pid" 2>/dev/null || true

# --- Search: PostgresVectorStore vs psql on the same statement, and HNSW recall --------------
# Loads 100,000 chunks of 768 dimensions into the throwaway database (generated inside
# PostgreSQL, then one HNSW build), so the whole section stays within a few minutes.
search_rows="${RECALL_BENCH_SEARCH_ROWS:-100000}"
echo "[bench] recall-bench search over $search_rows chunks x 768 (vs psql)" >&2
out=$("$bench" search --database-url "${RECALL_TEST_DATABASE_URL:?run through make bench}" \
    --psql "${RECALL_TEST_PG_BIN:?run through make bench}/psql" --rows "$search_rows" --dim 768)
# Latency: lower is better, so the ratio shown is psql / recall (target: recall within 1.1x).
row "search p50 (psql us / recall us)" "$(result psql_search_p50_us "$out")" "$(result search_p50_us "$out")" 0.909
row "search p99 (psql us / recall us)" "$(result psql_search_p99_us "$out")" "$(result search_p99_us "$out")" 0.909
printf "%-44s %12s %12s %8s  %s\n" "search p50 / p99, recall (us)" "$(result search_p50_us "$out")/$(result search_p99_us "$out")" "$(result psql_search_p50_us "$out")/$(result psql_search_p99_us "$out")" "-" "reported"
recall_permille="$(result search_recall_at_10_permille "$out")"
awk -v r="$recall_permille" 'BEGIN { printf "%-44s %12.3f %12s %8s  %s\n", "HNSW recall@10 vs exact search", r / 1000, "-", "-", (r >= 950 ? "ok (target >= 0.95)" : "BELOW target 0.95") }'

# recall-server under wrk: all-HIT chat against /health of the same server, Redis then memory
# cache; RSS and start-up time (Infrastructure/scripts/bench-server.sh).
bash "$(dirname "${BASH_SOURCE[0]}")/bench-server.sh"
