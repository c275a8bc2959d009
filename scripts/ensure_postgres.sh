#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at $DATABASE_URL, with its role and database.
#
# - If something already answers at the URL's host:port, only create the role and the
#   database when we can (best effort) and stop there.
# - Otherwise run a project-local cluster in .local/pgdata (initdb once), listening on
#   127.0.0.1 only, with its unix socket inside .local/ as well and its log in
#   .local/postgres.log. Postgres refuses to run as root, so as root the cluster belongs
#   to the `postgres` system user and is driven through `runuser -u postgres --`.
#
# Safe to run any number of times, and concurrently (flock).
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$PROJECT/.local"
PGDATA_DIR="$LOCAL/pgdata"
PGLOG="$LOCAL/postgres.log"
DATABASE_URL="${DATABASE_URL:-postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal}"

say() { printf 'ensure_postgres: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

# --- parse postgres://user:password@host:port/dbname?options -------------------------------
re='^postgres(ql)?://([^:@/]+)(:([^@]*))?@([^:/?]+)(:([0-9]+))?/([^?]+)'
[[ "$DATABASE_URL" =~ $re ]] || die "cannot parse DATABASE_URL=$DATABASE_URL (expected postgres://user:password@host:port/dbname)"
DB_USER="$(urldecode "${BASH_REMATCH[2]}")"
DB_PASSWORD="$(urldecode "${BASH_REMATCH[4]}")"
DB_HOST="${BASH_REMATCH[5]}"
DB_PORT="${BASH_REMATCH[7]:-5432}"
DB_NAME="$(urldecode "${BASH_REMATCH[8]}")"

# libpq settings from the caller's environment must not redirect our admin connections.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS

IS_ROOT=0; [[ "$(id -u)" == 0 ]] && IS_ROOT=1

apt_install() {
    # Another apt/dpkg run (e.g. a parallel ensure_* script) holds the lock: wait for it
    # rather than fail.
    local apt=(apt-get -q -y -o DPkg::Lock::Timeout=900)
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" install "$@" || { "${apt[@]}" update && "${apt[@]}" install "$@"; }
}

find_pgbin() {
    local d
    # Highest installed major version first.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
    done
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        [[ -n "$d" && -x "$d/initdb" ]] && { echo "$d"; return 0; }
    fi
    d="$(command -v initdb 2>/dev/null || true)"
    [[ -n "$d" ]] && { dirname "$d"; return 0; }
    return 1
}

PGBIN="$(find_pgbin || true)"

tool() {  # path of a client tool: the cluster's own binaries first, then PATH
    if [[ -n "$PGBIN" && -x "$PGBIN/$1" ]]; then echo "$PGBIN/$1"; else command -v "$1" 2>/dev/null || true; fi
}

# 0 = accepting connections, 1 = starting up / rejecting, 2 = no answer.
server_state() {
    local isready; isready="$(tool pg_isready)"
    if [[ -n "$isready" ]]; then
        "$isready" -q -h "$DB_HOST" -p "$DB_PORT" -t 3 && return 0 || return $?
    fi
    # No client tools at all: a bare TCP probe is the best we can do.
    (exec 3<>"/dev/tcp/$DB_HOST/$DB_PORT") 2>/dev/null && return 0 || return 2
}

wait_ready() {  # wait_ready SECONDS
    local i rc
    for ((i = 0; i < $1 * 2; i++)); do
        rc=0; server_state || rc=$?
        [[ $rc == 0 ]] && return 0
        sleep 0.5
    done
    return 1
}

url_connects() {
    local psql; psql="$(tool psql)"
    [[ -n "$psql" ]] && "$psql" -X -q -w "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1
}

# --- who owns / drives the project-local cluster ---------------------------------------------
# fd 9 is our flock: close it in children, or the postmaster would hold the lock forever.
if [[ $IS_ROOT == 1 ]]; then
    as_owner() { (cd / && runuser -u postgres -- "$@" 9>&-); }
else
    as_owner() { (cd / && "$@" 9>&-); }
fi

# The unix socket path must fit in sockaddr_un (107 bytes) including "/.s.PGSQL.<port>".
SOCKDIR="$LOCAL/pgsocket"
if (( ${#SOCKDIR} + 18 > 100 )); then
    SOCKDIR="/tmp/edu_portal-pgsocket-$(id -u)-$(printf '%s' "$PROJECT" | cksum | cut -d' ' -f1)"
    say "project path too long for a unix socket; using $SOCKDIR"
fi

local_cluster_socket() { [[ -S "$SOCKDIR/.s.PGSQL.$DB_PORT" ]]; }

# Run SQL from stdin as a superuser of whatever server answers at host:port. Tries the
# project-local cluster's socket, then the distribution's cluster via the postgres system
# user (peer auth), then the current user over TCP. Returns non-zero if none works.
admin_psql() {
    local psql sql; psql="$(tool psql)"; [[ -n "$psql" ]] || return 1
    sql="$(cat)"
    local vars=(-v ON_ERROR_STOP=1 -v "user=$DB_USER" -v "pass=$DB_PASSWORD" -v "db=$DB_NAME")
    if local_cluster_socket; then
        as_owner "$psql" -X -q -w -h "$SOCKDIR" -p "$DB_PORT" -U postgres -d postgres "${vars[@]}" <<<"$sql" && return 0
    fi
    if [[ $IS_ROOT == 1 ]] && id postgres >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "$psql" -X -q -w -p "$DB_PORT" -d postgres "${vars[@]}" <<<"$sql" 9>&-) 2>/dev/null && return 0
    fi
    "$psql" -X -q -w -h "$DB_HOST" -p "$DB_PORT" -d postgres "${vars[@]}" <<<"$sql" 2>/dev/null && return 0
    return 1
}

# On the project-local cluster the role is a superuser and its password follows the URL;
# on someone else's server we only add what is missing.
ensure_role_and_db() {  # ensure_role_and_db local|external
    local attrs="LOGIN CREATEDB" sync_pw=""
    if [[ "$1" == local ]]; then
        attrs="LOGIN CREATEDB SUPERUSER"
        sync_pw="SELECT format('ALTER ROLE %I $attrs PASSWORD %L', :'user', :'pass') \\gexec"
    fi
    admin_psql <<SQL
SELECT format('CREATE ROLE %I $attrs PASSWORD %L', :'user', :'pass')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \\gexec
$sync_pw
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \\gexec
SQL
}

# Serialise concurrent runs (make -j, several terminals).
mkdir -p "$LOCAL"
exec 9>"$LOCAL/.ensure_postgres.lock"
flock 9 2>/dev/null || true

# --- 1. a server already answers -------------------------------------------------------------
rc=0; server_state || rc=$?
[[ $rc == 1 ]] && { wait_ready 30 || true; rc=0; server_state || rc=$?; }
if [[ $rc == 0 ]]; then
    if url_connects; then
        say "server at $DB_HOST:$DB_PORT is up; $DB_USER@$DB_NAME connects"
        exit 0
    fi
    kind=external; local_cluster_socket && kind=local
    if ensure_role_and_db "$kind" && url_connects; then
        say "server at $DB_HOST:$DB_PORT is up; created role/database $DB_USER/$DB_NAME"
    else
        say "WARNING: a server answers at $DB_HOST:$DB_PORT but $DATABASE_URL does not connect, and I could not create the role/database (no superuser access). Create them by hand."
    fi
    exit 0
fi

# --- 2. nothing answers: run the project-local cluster ----------------------------------------
case "$DB_HOST" in
    127.0.0.1|localhost) ;;
    *) die "nothing answers at $DB_HOST:$DB_PORT and it is not a local address; start that server or point DATABASE_URL at 127.0.0.1" ;;
esac

if [[ -z "$PGBIN" ]]; then
    [[ $IS_ROOT == 1 ]] || die "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin) and not root: install the 'postgresql' package"
    say "installing PostgreSQL (apt-get install postgresql)"
    apt_install postgresql >&2 9>&-
    PGBIN="$(find_pgbin)" || die "PostgreSQL binaries still not found after install"
    # Debian's package may have started its own cluster on this very port.
    if server_state; then
        say "the distribution's cluster now answers at $DB_HOST:$DB_PORT; using it"
        ensure_role_and_db external || die "could not create role/database on the distribution's cluster"
        url_connects || die "$DATABASE_URL does not connect"
        exit 0
    fi
fi

if [[ $IS_ROOT == 1 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
fi

# Every directory from / down to .local must be traversable by the cluster's owner. Projects
# get cloned to arbitrary places (/tmp/fresh, /root/src/...).
if [[ $IS_ROOT == 1 ]]; then
    d=""
    IFS=/ read -ra parts <<<"${LOCAL#/}"
    for p in "${parts[@]}"; do
        d="$d/$p"
        if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
            say "chmod o+x $d (so the postgres user can reach $LOCAL)"
            chmod o+x "$d"
        fi
    done
fi

mkdir -p "$PGDATA_DIR" "$SOCKDIR"
touch "$PGLOG"
chmod 700 "$PGDATA_DIR" "$SOCKDIR"
if [[ $IS_ROOT == 1 ]]; then
    chown -R postgres:postgres "$PGDATA_DIR" "$SOCKDIR"
    chown postgres:postgres "$PGLOG"
fi

if [[ ! -s "$PGDATA_DIR/PG_VERSION" ]]; then
    say "initdb $PGDATA_DIR ($("$PGBIN/postgres" --version))"
    # Local connections (the socket, reachable only by the owner) are trusted; TCP needs the
    # password. C.UTF-8: predictable byte-order sorting everywhere; Vietnamese collation,
    # where wanted, is chosen per column/query.
    as_owner "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --no-instructions >>"$PGLOG" 2>&1 \
        || { tail -n 30 "$PGLOG" >&2; die "initdb failed (see $PGLOG)"; }
fi

# Our settings live in their own file, rewritten every run so changes here take effect on
# the next (re)start; postgresql.conf only includes it.
grep -q "^include_if_exists = 'edu_portal.conf'" "$PGDATA_DIR/postgresql.conf" \
    || as_owner tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null <<<$'\n'"include_if_exists = 'edu_portal.conf'"

mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 4194304) / 1024 ))
shared_buffers_mb=$(( mem_mb / 4 < 1024 ? mem_mb / 4 : 1024 ))
cache_mb=$(( mem_mb / 2 ))
shm_mb=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 {print $2}' || true)
dsm=posix; [[ -z "$shm_mb" || "$shm_mb" -lt 1024 ]] && dsm=mmap   # Docker's 64 MB /dev/shm

as_owner tee "$PGDATA_DIR/edu_portal.conf" >/dev/null <<CONF
# Written by scripts/ensure_postgres.sh on every run; edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $DB_PORT
unix_socket_directories = '$SOCKDIR'
max_connections = 200
shared_buffers = ${shared_buffers_mb}MB
effective_cache_size = ${cache_mb}MB
work_mem = 16MB
maintenance_work_mem = 256MB
dynamic_shared_memory_type = $dsm
# Speed for a development cluster. fsync and full_page_writes stay on: a crash must not
# corrupt the data; losing the last few hundred milliseconds of commits is acceptable.
synchronous_commit = off
wal_compression = on
max_wal_size = 2GB
checkpoint_timeout = 15min
random_page_cost = 1.1
# JIT only slows the short queries of a web app and its tests.
jit = off
log_min_duration_statement = 1000
log_line_prefix = '%m [%p] %q%u@%d '
timezone = 'UTC'
CONF

status_rc=0; as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1 || status_rc=$?
if [[ $status_rc == 0 ]]; then
    # Running but not answering at host:port (e.g. the URL's port changed): restart on it.
    say "local cluster is running but not answering at $DB_HOST:$DB_PORT; restarting"
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 -m fast restart >/dev/null \
        || { tail -n 30 "$PGLOG" >&2; die "pg_ctl restart failed (see $PGLOG)"; }
else
    say "starting local cluster on 127.0.0.1:$DB_PORT (log: $PGLOG)"
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 start >/dev/null \
        || { tail -n 30 "$PGLOG" >&2; die "pg_ctl start failed (see $PGLOG)"; }
fi
wait_ready 30 || { tail -n 30 "$PGLOG" >&2; die "cluster started but does not answer at $DB_HOST:$DB_PORT"; }

ensure_role_and_db local || die "could not create role/database in the local cluster"
url_connects || die "local cluster is up but $DATABASE_URL does not connect"
say "ready: $DB_USER@$DB_HOST:$DB_PORT/$DB_NAME"
