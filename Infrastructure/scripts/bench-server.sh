#!/usr/bin/env bash
# bench-server.sh — recall-server under wrk: all-HIT POST /api/v1/chat against GET /health of the
# same server, with the Redis cache and then the in-process one; RSS idle and after the load;
# start-up time to the first 200 on /ready; then a Zipf mix over 1,000 questions with 200 ms
# generations on misses (requests/s and hit rate). Called by bench-run.sh (RECALL_BENCH_BIN,
# RECALL_TEST_REDIS_URL); runs alone as `RECALL_BENCH_BIN=... RECALL_TEST_REDIS_URL=... bash
# Infrastructure/scripts/bench-server.sh`. Load goes to 127.0.0.1 only; each endpoint gets 10 s,
# in slices of 2 s that alternate between /health and chat, so that both see the same machine (a
# build starting on a shared machine otherwise lands on one side of the ratio only).
set -euo pipefail
bin="${RECALL_BENCH_BIN:?run through make bench}"
redis_url="${RECALL_TEST_REDIS_URL:?run through make bench}"
duration="${RECALL_BENCH_WRK_SECONDS:-10}"
command -v wrk >/dev/null || { echo "[bench] wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

cat >"$work/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"question": "How do I request time off?"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# One wrk slice: "REQUESTS SECONDS P99_MS".
slice() { # seconds url [lua]
    local script=()
    [[ -n "${3:-}" ]] && script=(-s "$3")
    wrk -t2 -c32 -d"${1}s" --latency "${script[@]}" "$2" 2>/dev/null | awk '
        /requests in/ { n = $1; t = $4; sub(/s,$/, "", t) }
        /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; p99 = v }
        END { printf "%d %s %.2f\n", n, t, p99 }'
}

# /health and chat in alternating slices: "HEALTH_RPS HEALTH_P99 CHAT_RPS CHAT_P99", requests/s
# over all slices of an endpoint and the highest p99 of its slices.
measure_pair() { # health-url chat-url lua
    local slices=$(( (duration + 1) / 2 )) seconds=2 n t p
    local hn=0 ht=0 hp=0 cn=0 ct=0 cp=0
    (( duration < 2 )) && { slices=1; seconds=$duration; }
    for _ in $(seq 1 "$slices"); do
        read -r n t p < <(slice "$seconds" "$1")
        hn=$((hn + n)); ht=$(awk -v a="$ht" -v b="$t" 'BEGIN { print a + b }'); hp=$(awk -v a="$hp" -v b="$p" 'BEGIN { print (b > a) ? b : a }')
        read -r n t p < <(slice "$seconds" "$2" "$3")
        cn=$((cn + n)); ct=$(awk -v a="$ct" -v b="$t" 'BEGIN { print a + b }'); cp=$(awk -v a="$cp" -v b="$p" 'BEGIN { print (b > a) ? b : a }')
    done
    awk -v hn="$hn" -v ht="$ht" -v hp="$hp" -v cn="$cn" -v ct="$ct" -v cp="$cp" \
        'BEGIN { printf "%.0f %.2f %.0f %.2f\n", (ht > 0) ? hn / ht : 0, hp, (ct > 0) ? cn / ct : 0, cp }'
}

run_backend() { # redis|memory
    local backend=$1 port prefix started ready_ms
    port=$(free_port)
    prefix="bench-server-$$-$backend"
    local env=(HOST=127.0.0.1 PORT="$port" LOG_LEVEL=error EMBEDDING_DIM=768 CACHE_BACKEND="$backend"
               CACHE_KEY_PREFIX="$prefix" JOB_KEY_PREFIX="$prefix:jobs" WORKER_CONCURRENCY=1)
    # Jobs run in the server (an unreachable broker selects the in-process queue), so the
    # document below is ingested without a recall-worker; the cache still uses Redis.
    [[ "$backend" == redis ]] && env+=(REDIS_URL="$redis_url" BROKER_URL="redis://127.0.0.1:1/0")
    started=$(now_ms)
    (cd "$work" && exec env -i PATH="$PATH" "${env[@]}" "$bin/recall-server") &
    server_pid=$!
    until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
        kill -0 "$server_pid" 2>/dev/null || { echo "[bench] recall-server exited" >&2; exit 1; }
        sleep 0.01
    done
    ready_ms=$(( $(now_ms) - started ))
    sleep 1
    local idle_rss; idle_rss=$(rss_mib "$server_pid")

    # A corpus, so the answer is cacheable ("nothing found" never is), then one MISS to fill it.
    local job
    job=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/ingest" -H 'Content-Type: application/json' \
        -d '{"filename": "handbook.md", "content_type": "text/markdown", "content": "# Time off\n\nYou request time off in the HR portal at least two weeks ahead. Your manager approves it within three days."}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
    for _ in $(seq 1 200); do
        status=$(curl -fs "http://127.0.0.1:$port/api/v1/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
        [[ "$status" == succeeded ]] && break
        sleep 0.05
    done
    [[ "$status" == succeeded ]] || { echo "[bench] the seed document was not ingested ($status)" >&2; exit 1; }
    curl -fs -X POST "http://127.0.0.1:$port/api/v1/chat" -H 'Content-Type: application/json' \
        -d '{"question": "How do I request time off?"}' -o /dev/null
    local cache_header
    cache_header=$(curl -fs -D - -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/chat" -H 'Content-Type: application/json' \
        -d '{"question": "How do I request time off?"}' | awk -F': ' 'tolower($1) == "x-cache" { print $2 }' | tr -d '\r')
    [[ "$cache_header" == HIT ]] || { echo "[bench] the chat answer is not cached (X-Cache: $cache_header)" >&2; exit 1; }

    echo "[bench] wrk -t2 -c32 --latency, ${duration}s each in alternating slices: GET /health and -s chat.lua POST /api/v1/chat ($backend, all HIT)" >&2
    read -r health_rps health_p99 chat_rps chat_p99 < <(measure_pair "http://127.0.0.1:$port/health" \
        "http://127.0.0.1:$port/api/v1/chat" "$work/chat.lua")
    local loaded_rss; loaded_rss=$(rss_mib "$server_pid")
    local computed
    computed=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '$1 == "chat_answers_computed_total" { print $2 }')

    printf "%-44s %12s %12s %8s  %s\n" "recall-server GET /health req/s, p99 ms ($backend)" "$health_rps" "$health_p99" "-" "reference; p99: worst slice"
    printf "%-44s %12s %12s %8.2f  %s\n" "chat all-HIT req/s, p99 ms ($backend)" "$chat_rps" "$chat_p99" \
        "$(awk -v a="$chat_rps" -v b="$health_rps" 'BEGIN { print (b > 0) ? a / b : 0 }')" "ratio to /health; answers computed: ${computed:-?}"
    printf "%-44s %12s %12s %8s  %s\n" "recall-server RSS MiB idle / after ($backend)" "$idle_rss" "$loaded_rss" "-" "reported"
    printf "%-44s %12s %12s %8s  %s\n" "recall-server start to 200 on /ready, ms ($backend)" "$ready_ms" "-" "-" "reported"

    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

# A Zipf mix (s = 1) over 1,000 distinct questions against the Redis backend, answers written by
# fake-gemini with 200 ms per generation, so a miss costs what a real model call costs and a hit
# costs nothing of it. wrk's threads count X-Cache HIT and MISS; requests/s and hit rate printed.
cat >"$work/zipf.lua" <<'LUA'
local threads = {}
function setup(thread)
    table.insert(threads, thread)
    thread:set("seed", #threads)
end
function init(args)
    hits, misses = 0, 0
    cdf, total = {}, 0
    for i = 1, 1000 do total = total + 1 / i; cdf[i] = total end
    for i = 1, 1000 do cdf[i] = cdf[i] / total end
    math.randomseed(os.time() * 100 + seed)
end
function request()
    local r, lo, hi = math.random(), 1, 1000
    while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        if cdf[mid] < r then lo = mid + 1 else hi = mid end
    end
    local body = '{"question": "What does part ' .. lo .. ' of the handbook say about time off?"}'
    return wrk.format("POST", "/api/v1/chat", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
    local cache = headers["X-Cache"] or headers["x-cache"]
    if status == 200 and cache == "HIT" then hits = hits + 1 elseif status == 200 then misses = misses + 1 end
end
function done(summary, latency, requests)
    local h, m = 0, 0
    for _, thread in ipairs(threads) do h = h + thread:get("hits"); m = m + thread:get("misses") end
    io.write(string.format("ZIPF %d %d %d %.2f\n", h, m, summary.requests, latency:percentile(99) / 1000))
end
LUA

run_zipf() {
    local port fake_port fake_pid prefix
    port=$(free_port); fake_port=$(free_port); prefix="bench-zipf-$$"
    "$bin/fake-gemini" --port "$fake_port" --latency-ms 200 >"$work/fake.log" 2>&1 &
    fake_pid=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$work/fake.log" && break; sleep 0.1; done
    (cd "$work" && exec env -i PATH="$PATH" HOST=127.0.0.1 PORT="$port" LOG_LEVEL=error EMBEDDING_DIM=768 \
        CACHE_BACKEND=redis REDIS_URL="$redis_url" BROKER_URL="redis://127.0.0.1:1/0" CACHE_KEY_PREFIX="$prefix" \
        JOB_KEY_PREFIX="$prefix:jobs" WORKER_CONCURRENCY=1 EMBEDDING_PROVIDER=local CHAT_PROVIDER=gemini \
        GEMINI_API_KEY=fake-gemini-test-key GEMINI_BASE_URL="http://127.0.0.1:$fake_port" "$bin/recall-server") &
    server_pid=$!
    until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
        kill -0 "$server_pid" 2>/dev/null || { echo "[bench] recall-server (zipf) exited" >&2; kill "$fake_pid"; exit 1; }
        sleep 0.01
    done
    curl -fs -X POST "http://127.0.0.1:$port/api/v1/ingest" -H 'Content-Type: application/json' \
        -d '{"filename": "handbook.md", "content_type": "text/markdown", "content": "# Time off\n\nYou request time off in the HR portal at least two weeks ahead. Your manager approves it within three days."}' \
        -o /dev/null
    sleep 1
    echo "[bench] wrk -t2 -c32 -d${duration}s: Zipf mix over 1,000 questions, 200 ms generation on misses (redis)" >&2
    local out requests seconds h m p99
    out=$(wrk -t2 -c32 -d"${duration}s" --latency -s "$work/zipf.lua" "http://127.0.0.1:$port/api/v1/chat" 2>/dev/null)
    seconds=$(awk '/requests in/ { t = $4; sub(/s,$/, "", t); print t }' <<<"$out")
    read -r _ h m requests p99 < <(grep '^ZIPF' <<<"$out")
    printf "%-44s %12.0f %12.3f %8s  %s\n" "chat Zipf 1,000 questions req/s, hit rate" \
        "$(awk -v n="$requests" -v t="$seconds" 'BEGIN { print (t > 0) ? n / t : 0 }')" \
        "$(awk -v h="$h" -v m="$m" 'BEGIN { print (h + m > 0) ? h / (h + m) : 0 }')" "-" "p99 ${p99} ms; 200 ms per generation on a miss"
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    kill -TERM "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null || true
}

run_backend redis
run_backend memory
run_zipf
