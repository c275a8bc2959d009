#!/usr/bin/env bash
# A throwaway PostgreSQL primary + streaming replica on this machine, for the replica drill
# (tests/scaling/test_replica_router.py) and for trying DATABASE_REPLICA_URL by hand.
#
#   scripts/replica.sh start    fresh pair: primary on 127.0.0.1:$REPLICA_TEST_PRIMARY_PORT (25432),
#                               replica (hot standby, pg_basebackup -R) on $REPLICA_TEST_REPLICA_PORT
#                               (25433); prints PRIMARY_URL=... and REPLICA_URL=...
#   scripts/replica.sh stop     stops both postmasters by the PIDs in their postmaster.pid, removes the data
#   scripts/replica.sh stop-replica   stops the standby alone (the drill's replica outage)
#   scripts/replica.sh status   which of the two runs
#
# Why not the project's cluster in .local/pgdata as the primary: it would only need a reload (a
# replication role and a pg_hba line; wal_level=replica and max_wal_senders=10 are the defaults),
# but pg_basebackup copies the WHOLE cluster, and that cluster holds the bench databases (tens of
# GB at one tenth of national scale). A pair of its own starts in seconds and leaves nothing behind.
# The ports lie below the kernel's ephemeral range (32768-60999), where a client socket could hold them.
#
# Everything lives under .local/replica-test/. As root, the postgres binaries run as the
# `postgres` system user (`runuser -u postgres --`), as scripts/ensure_postgres.sh does.
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$PROJECT/.local/replica-test"
PRIMARY_PORT="${REPLICA_TEST_PRIMARY_PORT:-25432}"
REPLICA_PORT="${REPLICA_TEST_REPLICA_PORT:-25433}"
DB_USER=edu_portal DB_PASSWORD=edu_portal DB_NAME=edu_portal
REPL_USER=replicator REPL_PASSWORD=replicator-drill-only
SOCK="$BASE/sock"

say() { printf 'replica.sh: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn | head -1)}"
[[ -x "$PGBIN/pg_ctl" ]] || die "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)"
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS

if [[ "$(id -u)" == 0 ]]; then
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd / && "$@"); }
fi

postmaster_pid() {  # postmaster_pid DATADIR -- the PID of a running postmaster, or nothing
    local pidfile="$1/postmaster.pid" pid
    [[ -f "$pidfile" ]] || return 0
    pid="$(head -n 1 "$pidfile" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
}

stop_one() {  # stop_one DATADIR NAME -- fast shutdown (SIGINT) by PID, SIGQUIT after 30 s
    local pid i
    pid="$(postmaster_pid "$1")"
    [[ -n "$pid" ]] || return 0
    say "stopping $2 (pid $pid)"
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    say "$2 (pid $pid) still running after 30 s; immediate shutdown"
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    die "$2 (pid $pid) does not stop"
}

stop_pair() {
    stop_one "$BASE/replica" replica
    stop_one "$BASE/primary" primary
    rm -rf "$BASE"
}

conf() {  # conf PORT -- our settings, in a file postgresql.conf includes
    cat <<CONF
# Written by scripts/replica.sh: a throwaway pair for the replica drill.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$SOCK'
max_connections = 40
shared_buffers = 64MB
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
fsync = off
full_page_writes = off
synchronous_commit = off
jit = off
timezone = 'UTC'
CONF
}

start_pair() {
    stop_pair
    mkdir -p "$BASE/primary" "$SOCK"
    chmod 700 "$BASE/primary" "$SOCK"
    if [[ "$(id -u)" == 0 ]]; then
        # The postgres user must reach the data directories (as in ensure_postgres.sh).
        d=""; IFS=/ read -ra parts <<<"${BASE#/}"
        for p in "${parts[@]}"; do d="$d/$p"; runuser -u postgres -- test -x "$d" 2>/dev/null || chmod o+x "$d"; done
        chown -R postgres:postgres "$BASE"
    fi
    as_pg "$PGBIN/initdb" -D "$BASE/primary" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust \
        --auth-host=scram-sha-256 --no-instructions >"$BASE/initdb.log" 2>&1 \
        || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
    conf "$PRIMARY_PORT" | as_pg tee "$BASE/primary/drill.conf" >/dev/null
    echo "include 'drill.conf'" | as_pg tee -a "$BASE/primary/postgresql.conf" >/dev/null
    echo "host replication $REPL_USER 127.0.0.1/32 scram-sha-256" | as_pg tee -a "$BASE/primary/pg_hba.conf" >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$BASE/primary" -l "$BASE/primary.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$BASE/primary.log" >&2; die "primary does not start"; }
    as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PRIMARY_PORT" -U postgres -d postgres <<SQL
CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
CREATE ROLE $REPL_USER LOGIN REPLICATION PASSWORD '$REPL_PASSWORD';
CREATE DATABASE $DB_NAME OWNER $DB_USER;
SQL
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
    as_pg env PGPASSWORD="$REPL_PASSWORD" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" \
        -U "$REPL_USER" -D "$BASE/replica" -R -X stream -c fast >"$BASE/basebackup.log" 2>&1 \
        || { cat "$BASE/basebackup.log" >&2; die "pg_basebackup failed"; }
    conf "$REPLICA_PORT" | as_pg tee "$BASE/replica/drill.conf" >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$BASE/replica" -l "$BASE/replica.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$BASE/replica.log" >&2; die "replica does not start"; }
    local in_recovery
    in_recovery="$(as_pg "$PGBIN/psql" -X -tA -h "$SOCK" -p "$REPLICA_PORT" -U postgres -d postgres \
        -c 'SELECT pg_is_in_recovery()')"
    [[ "$in_recovery" == t ]] || die "the replica is not in recovery (got '$in_recovery')"
    say "primary pid $(postmaster_pid "$BASE/primary") on $PRIMARY_PORT, replica pid $(postmaster_pid "$BASE/replica") on $REPLICA_PORT (streaming)"
    echo "PRIMARY_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PRIMARY_PORT/$DB_NAME"
    echo "REPLICA_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$REPLICA_PORT/$DB_NAME"
}

case "${1:-}" in
    start) start_pair ;;
    stop) stop_pair; say "stopped" ;;
    stop-replica) stop_one "$BASE/replica" replica ;;  # an outage of the standby alone
    status)
        p="$(postmaster_pid "$BASE/primary")"; r="$(postmaster_pid "$BASE/replica")"
        echo "primary: ${p:-not running}"; echo "replica: ${r:-not running}"
        [[ -n "$p" && -n "$r" ]] ;;
    *) echo "usage: $0 start|stop|stop-replica|status" >&2; exit 2 ;;
esac
