#!/usr/bin/env bash
# services.sh up|down|status — long-running Redis and PostgreSQL (+ pgvector) for local
# development, kept under the services directory (data survives `down`/`up`).
#
#   up      start both (if not running) and write .services/env, to `source` in a shell:
#           RECALL_TEST_* for `swift test`, REDIS_URL / DATABASE_URL for running the apps
#   down    stop both (by the pids they recorded) and remove .services/env
#   status  say what runs, where
#
# `make test` does not use these: it starts its own throwaway servers (with-services.sh).
set -euo pipefail

LOG_TAG="services"
# shellcheck source=Infrastructure/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

init_services_dir
DEV_DIR="$SERVICES_DIR/dev"
REDIS_DIR="$DEV_DIR/redis"
PG_DIR="$DEV_DIR/pg"
PG_DATA="$PG_DIR/data"
ENV_FILE="$REPO_ROOT/.services/env"

# Pid of the running development Redis / PostgreSQL, or nothing.
redis_pid() {
    local pid
    [[ -s "$REDIS_DIR/redis.pid" ]] || return 0
    read -r pid <"$REDIS_DIR/redis.pid"
    if pid_is "$pid" redis-server; then echo "$pid"; fi
}
pg_pid() {
    local pid
    [[ -s "$PG_DATA/postmaster.pid" ]] || return 0
    read -r pid <"$PG_DATA/postmaster.pid"
    if pid_is "$pid" postgres; then echo "$pid"; fi
}

# The port recorded in FILE when it is still free (so URLs stay stable across restarts),
# otherwise a new free one.
pick_port() {
    local file=$1 port
    if [[ -s "$file" ]]; then
        read -r port <"$file"
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
    fi
    free_port
}

write_env_file() {
    local redis_port pg_port
    read -r redis_port <"$REDIS_DIR/port"
    read -r pg_port <"$PG_DIR/port"
    mkdir -p "$(dirname "$ENV_FILE")"
    {
        echo "# Written by Infrastructure/scripts/services.sh up; removed by services.sh down."
        echo "# Load it into your shell with:  source .services/env"
        printf 'export RECALL_TEST_REDIS_URL=%q\n' "redis://127.0.0.1:$redis_port/0"
        printf 'export RECALL_TEST_DATABASE_URL=%q\n' "postgresql://$PG_DB_USER@127.0.0.1:$pg_port/$PG_TEST_DB"
        printf 'export RECALL_TEST_PG_BIN=%q\n' "$PG_BIN"
        printf 'export RECALL_TEST_REDIS_SERVER=%q\n' "$REDIS_SERVER_BIN"
        printf 'export REDIS_URL=%q\n' "redis://127.0.0.1:$redis_port/0"
        printf 'export DATABASE_URL=%q\n' "postgresql://$PG_DB_USER@127.0.0.1:$pg_port/$PG_DEV_DB"
    } >"$ENV_FILE"
}

cmd_up() {
    local started port
    started=$(now_ms)
    bash "$SCRIPTS_DIR/install-deps.sh"
    find_python
    ensure_postgres_install
    ensure_pg_os_user
    mkdir -p "$DEV_DIR"
    chmod 755 "$DEV_DIR"

    if [[ -n "$(redis_pid)" ]]; then
        log "Redis already running (pid $(redis_pid))"
    else
        port="$(pick_port "$REDIS_DIR/port")"
        # Snapshots on Redis's default schedule, into its directory, so data survives restarts.
        start_redis "$REDIS_DIR" "$port" --appendonly no || die "could not start Redis"
        echo "$port" >"$REDIS_DIR/port"
        log "Redis started on 127.0.0.1:$port (pid $REDIS_PID)"
    fi

    if [[ -n "$(pg_pid)" ]]; then
        log "PostgreSQL already running (pid $(pg_pid))"
    else
        if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
            log "creating the PostgreSQL cluster in $PG_DATA"
            rm -rf "$PG_DATA"
            init_pg_cluster "$PG_DATA"
        fi
        port="$(pick_port "$PG_DIR/port")"
        start_pg "$PG_DATA" "$port" "$PG_DIR/postgres.log" || die "could not start PostgreSQL"
        echo "$port" >"$PG_DIR/port"
        pg_ensure_database "$port" "$PG_DEV_DB"
        pg_ensure_database "$port" "$PG_TEST_DB"
        pg_check_vector "$port" "$PG_TEST_DB" || die "the pgvector extension does not work"
        log "PostgreSQL started on 127.0.0.1:$port (pid $PG_PID), pgvector $PGVECTOR_VERSION available"
    fi

    write_env_file
    log "ready in $(since "$started"). Load the variables into your shell with:"
    echo "  source .services/env"
}

cmd_down() {
    local pid
    pid="$(pg_pid)"
    if [[ -n "$pid" ]]; then
        stop_pid postgres "$pid" INT "$STOP_TIMEOUT" # fast shutdown
        log "PostgreSQL stopped"
    else
        log "PostgreSQL was not running"
    fi
    pid="$(redis_pid)"
    if [[ -n "$pid" ]]; then
        stop_pid redis-server "$pid" TERM "$STOP_TIMEOUT" # saves a snapshot first
        rm -f "$REDIS_DIR/redis.pid"
        log "Redis stopped"
    else
        log "Redis was not running"
    fi
    rm -f "$ENV_FILE"
    log "data kept in $DEV_DIR (delete it for a fresh start)"
}

cmd_status() {
    local pid port running=0
    pid="$(redis_pid)"
    if [[ -n "$pid" ]]; then
        read -r port <"$REDIS_DIR/port"
        echo "redis:      running, pid $pid, redis://127.0.0.1:$port/0"
        running=$((running + 1))
    else
        echo "redis:      stopped"
    fi
    pid="$(pg_pid)"
    if [[ -n "$pid" ]]; then
        read -r port <"$PG_DIR/port"
        echo "postgresql: running, pid $pid, postgresql://$PG_DB_USER@127.0.0.1:$port/{$PG_DEV_DB,$PG_TEST_DB}"
        running=$((running + 1))
    else
        echo "postgresql: stopped"
    fi
    echo "data:       $DEV_DIR"
    if [[ -f "$ENV_FILE" ]]; then
        echo "env file:   $ENV_FILE"
    else
        echo "env file:   none (run: make services-up)"
    fi
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 up|down|status" >&2
        exit 2
        ;;
esac
