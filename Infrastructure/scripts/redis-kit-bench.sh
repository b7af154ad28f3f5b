#!/usr/bin/env bash
# Compares RedisKit's throughput with redis-benchmark's on this machine, once (not a test):
#   Infrastructure/scripts/redis-kit-bench.sh [redis-url]
# Both use 50 concurrent callers, one command at a time each (redis-benchmark -c 50 -P 1).
# RedisKit should reach at least 80% of redis-benchmark's rate. Builds in release mode once.
set -euo pipefail
url="${1:-${RECALL_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}}"
hostport="${url#redis://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%:*}"; port="${hostport##*:}"
[ "$host" = "$port" ] && port=6379

requests="${RECALL_REDIS_BENCH_REQUESTS:-200000}"
echo "redis-benchmark against $host:$port:"
redis-benchmark -h "$host" -p "$port" -c 50 -P 1 -t set,get -n "$requests" -q 2>/dev/null | tr '\r' '\n' | grep 'requests per second'

cd "$(dirname "$0")/../.."
swift build -c release --build-tests >/dev/null
RECALL_TEST_REDIS_URL="$url" RECALL_REDIS_BENCH=1 RECALL_REDIS_BENCH_REQUESTS="$requests" \
    swift test -c release --skip-build --filter ThroughputCheck 2>&1 | grep 'RedisKit throughput:'
