#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup and its helpers run from traps, which shellcheck cannot follow
# with-services.sh CMD [ARGS...]
#
# Starts throwaway Redis and PostgreSQL (+ pgvector) servers on free loopback ports, runs
# CMD with these variables exported, then stops both and removes their data:
#
#   RECALL_TEST_REDIS_URL     redis://127.0.0.1:PORT/0
#   RECALL_TEST_DATABASE_URL  postgresql://recall@127.0.0.1:PORT/recall_test  (superuser, trust)
#   RECALL_TEST_PG_BIN        directory with initdb, pg_ctl, postgres, psql, pg_isready...
#   RECALL_TEST_REDIS_SERVER  path of redis-server, for tests that start instances of their own
#
# Exits with CMD's exit code (128+N when interrupted by signal N). The servers are stopped
# on every exit path; a run killed with SIGKILL leaves them behind, and the next run stops
# them (see sweep_stale_runs).
set -euo pipefail

LOG_TAG="with-services"
# shellcheck source=Infrastructure/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# CI may run us with stdin closed: give everything below a valid (empty) one, as some
# programs misbehave when their fd 0 is missing or gets reused by the first file they open.
[[ -e /proc/$$/fd/0 ]] || exec </dev/null

if (($# == 0)); then
    echo "usage: $0 CMD [ARGS...]   (e.g. $0 swift test)" >&2
    exit 2
fi

# Runs left behind by a with-services.sh that died without its traps (SIGKILL, power loss):
# their directory name carries the owner's pid; when that is gone, stop what they started.
sweep_stale_runs() {
    local dir owner
    for dir in "$SERVICES_DIR"/runs/run.*; do
        [[ -d "$dir" ]] || continue
        owner="${dir##*/run.}"
        owner="${owner%%.*}"
        pid_alive "$owner" && continue
        log "cleaning up the services of an earlier run that died: $dir"
        stop_pg "$dir/pg/data"
        stop_redis_pidfile "$dir/redis/redis.pid"
        rm -rf "$dir"
    done
}

CHILD_PID=""
RUN_DIR=""
PG_DATA=""
REDIS_PID=""
PG_PID=""

# The pid and every descendant, from /proc: `swift test` runs the test binary as a child,
# which must not outlive an interrupted run.
process_tree() {
    local root=$1 stat_file line pid ppid rest
    local -A children=()
    for stat_file in /proc/[0-9]*/stat; do
        { read -r line <"$stat_file"; } 2>/dev/null || continue
        pid="${stat_file#/proc/}"
        pid="${pid%/stat}"
        rest="${line##*) }"
        read -r _ ppid _ <<<"$rest"
        children[$ppid]+="$pid "
    done
    local -a queue=("$root")
    while ((${#queue[@]} > 0)); do
        pid="${queue[0]}"
        queue=("${queue[@]:1}")
        echo "$pid"
        # shellcheck disable=SC2206 # word splitting of the pid list is intended
        [[ -n "${children[$pid]:-}" ]] && queue+=(${children[$pid]})
    done
}

stop_child() {
    [[ -n "$CHILD_PID" ]] && pid_alive "$CHILD_PID" || return 0
    local pids pid i
    mapfile -t pids < <(process_tree "$CHILD_PID")
    log "stopping: $*"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        pid_alive "$CHILD_PID" || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    done
    wait "$CHILD_PID" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e # stop everything we can, whatever fails
    trap - INT TERM HUP
    local started
    started=$(now_ms)
    stop_child "$COMMAND"
    # Signal both servers first so that they shut down (and get reaped) in parallel.
    if [[ -n "$PG_PID" ]] && pid_is "$PG_PID" postgres; then
        kill -INT "$PG_PID"
    fi
    if [[ -n "$REDIS_PID" ]] && pid_is "$REDIS_PID" redis-server; then
        kill -TERM "$REDIS_PID"
    fi
    [[ -n "$PG_PID" ]] && stop_pid postgres "$PG_PID" INT "$STOP_TIMEOUT"
    [[ -n "$PG_DATA" ]] && stop_pg "$PG_DATA" # whatever postmaster.pid still names, to be sure
    [[ -n "$REDIS_PID" ]] && stop_pid redis-server "$REDIS_PID" TERM "$STOP_TIMEOUT"
    [[ -n "$RUN_DIR" ]] && rm -rf "$RUN_DIR"
    log "services stopped in $(since "$started")"
    exit "$rc"
}

on_signal() {
    log "got SIG$1"
    exit "$2" # runs cleanup through the EXIT trap
}

COMMAND="$*"
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

started_all=$(now_ms)
bash "$SCRIPTS_DIR/install-deps.sh"
init_services_dir
find_python
ensure_postgres_install
ensure_pg_os_user
mkdir -p "$SERVICES_DIR/runs"
chmod 755 "$SERVICES_DIR/runs"
sweep_stale_runs

# Per-run data, removed at the end. Traversable (711) so the PostgreSQL owner reaches its
# own subdirectory.
RUN_DIR="$(mktemp -d "$SERVICES_DIR/runs/run.$$.XXXXXX")"
chmod 711 "$RUN_DIR"

# Redis: nothing persisted; a few attempts in case another process grabs the free port.
started=$(now_ms)
for attempt in 1 2 3; do
    REDIS_PORT="$(free_port)"
    if start_redis "$RUN_DIR/redis" "$REDIS_PORT" --save '' --appendonly no; then
        break
    fi
    ((attempt < 3)) || die "could not start Redis"
    log "retrying Redis on another port"
done
log "Redis $("$REDIS_SERVER_BIN" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID) in $(since "$started")"

# PostgreSQL: durability off, this cluster is thrown away at the end.
started=$(now_ms)
PG_DATA="$RUN_DIR/pg/data"
init_pg_cluster "$PG_DATA" "fsync = off" "synchronous_commit = off" "full_page_writes = off"
for attempt in 1 2 3; do
    PG_PORT="$(free_port)"
    if start_pg "$PG_DATA" "$PG_PORT" "$RUN_DIR/pg/postgres.log"; then
        break
    fi
    ((attempt < 3)) || die "could not start PostgreSQL"
    log "retrying PostgreSQL on another port"
done
pg_ensure_database "$PG_PORT" "$PG_TEST_DB"
pg_check_vector "$PG_PORT" "$PG_TEST_DB" || die "the pgvector extension does not work"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') + pgvector $PGVECTOR_VERSION on 127.0.0.1:$PG_PORT (pid $PG_PID) in $(since "$started")"

export RECALL_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export RECALL_TEST_DATABASE_URL="postgresql://$PG_DB_USER@127.0.0.1:$PG_PORT/$PG_TEST_DB"
export RECALL_TEST_PG_BIN="$PG_BIN"
export RECALL_TEST_REDIS_SERVER="$REDIS_SERVER_BIN"
log "services ready in $(since "$started_all"); running: $COMMAND"

# CMD runs in the background so that a signal to us is handled at once (bash defers traps
# while a foreground command runs). `<&0` keeps our stdin (a background job would get
# /dev/null).
"$@" <&0 &
CHILD_PID=$!
rc=0
wait "$CHILD_PID" || rc=$?
CHILD_PID=""
exit "$rc"
