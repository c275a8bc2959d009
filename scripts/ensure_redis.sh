#!/usr/bin/env bash
# Make sure Redis answers at $REDIS_URL (Celery's broker and result backend).
#
# If nothing answers, start a project-local redis-server: bound to 127.0.0.1, daemonized,
# with its data, pidfile and log in .local/redis/. appendonly is on, so tasks queued before
# a restart are still there after it. Installs redis-server (apt) if it is missing and we
# are root. Safe to run any number of times.
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDIS_DIR="$PROJECT/.local/redis"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

say() { printf 'ensure_redis: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

# --- parse redis://[[user]:password@]host[:port][/db] ------------------------------------------
re='^rediss?://(([^:@/]*)(:([^@]*))?@)?([^:/?]+)(:([0-9]+))?(/[0-9]*)?'
[[ "$REDIS_URL" =~ $re ]] || die "cannot parse REDIS_URL=$REDIS_URL (expected redis://127.0.0.1:6379/0)"
REDIS_USER="$(urldecode "${BASH_REMATCH[2]}")"
REDIS_PASSWORD="$(urldecode "${BASH_REMATCH[4]}")"
REDIS_HOST="${BASH_REMATCH[5]}"
REDIS_PORT="${BASH_REMATCH[7]:-6379}"

# Not `redis-cli -u`: it sends no AUTH for the common "redis://:password@host" form.
CLI=(redis-cli --no-auth-warning -h "$REDIS_HOST" -p "$REDIS_PORT")
[[ -n "$REDIS_USER" ]] && CLI+=(--user "$REDIS_USER")
[[ -n "$REDIS_PASSWORD" ]] && CLI+=(-a "$REDIS_PASSWORD")

IS_ROOT=0; [[ "$(id -u)" == 0 ]] && IS_ROOT=1

apt_install() {
    # Another apt/dpkg run (e.g. a parallel ensure_* script) holds the lock: wait for it
    # rather than fail.
    local apt=(apt-get -q -y -o DPkg::Lock::Timeout=900)
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" install "$@" || { "${apt[@]}" update && "${apt[@]}" install "$@"; }
}

answers() {
    command -v redis-cli >/dev/null 2>&1 || return 1
    [[ "$("${CLI[@]}" ping 2>/dev/null)" == PONG ]]
}

# A server already answering that keeps its data in our .local/redis is the project's own
# (perhaps started by hand without appendonly): make sure it journals queued tasks.
ensure_appendonly() {
    [[ "$("${CLI[@]}" config get dir 2>/dev/null | sed -n 2p)" == "$REDIS_DIR" ]] || return 0
    if [[ "$("${CLI[@]}" config get appendonly 2>/dev/null | sed -n 2p)" != yes ]]; then
        say "turning on appendonly in the running project-local redis"
        "${CLI[@]}" config set appendonly yes >/dev/null || say "WARNING: could not turn on appendonly"
    fi
}

if answers; then
    say "redis at $REDIS_HOST:$REDIS_PORT is up"
    ensure_appendonly
    exit 0
fi

case "$REDIS_HOST" in
    127.0.0.1|localhost) ;;
    *) die "nothing answers at $REDIS_HOST:$REDIS_PORT and it is not a local address; start that server or point REDIS_URL at 127.0.0.1" ;;
esac

mkdir -p "$REDIS_DIR"
# Serialise concurrent runs; fd 9 is closed for redis-server so the daemon does not keep
# holding the lock.
exec 9>"$REDIS_DIR/.ensure_redis.lock"
flock 9 2>/dev/null || true
if answers; then say "redis at $REDIS_HOST:$REDIS_PORT is up"; exit 0; fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    [[ $IS_ROOT == 1 ]] || die "redis-server not found and not root: install the 'redis-server' package"
    say "installing redis-server (apt-get install redis-server)"
    apt_install redis-server >&2 9>&-
    # Debian's package may have started its own server on the default port.
    if answers; then say "the distribution's redis now answers at $REDIS_HOST:$REDIS_PORT; using it"; exit 0; fi
fi

say "starting redis-server on 127.0.0.1:$REDIS_PORT (data and log: $REDIS_DIR)"
args=(
    --daemonize yes
    --bind 127.0.0.1
    --port "$REDIS_PORT"
    --protected-mode yes
    --dir "$REDIS_DIR"
    --pidfile "$REDIS_DIR/redis.pid"
    --logfile "$REDIS_DIR/redis.log"
    --appendonly yes
    --appendfsync everysec
)
[[ -n "$REDIS_PASSWORD" ]] && args+=(--requirepass "$REDIS_PASSWORD")
(cd "$REDIS_DIR" && redis-server "${args[@]}" 9>&-) \
    || { tail -n 20 "$REDIS_DIR/redis.log" >&2 2>/dev/null; die "redis-server failed to start"; }

for ((i = 0; i < 60; i++)); do
    if answers; then say "ready: $REDIS_HOST:$REDIS_PORT"; exit 0; fi
    sleep 0.5
done
tail -n 20 "$REDIS_DIR/redis.log" >&2 2>/dev/null || true
die "redis-server started but does not answer at $REDIS_HOST:$REDIS_PORT (see $REDIS_DIR/redis.log)"
