#!/usr/bin/env bash
# Run the whole application in the foreground: the Django dev server, a Celery worker,
# Celery beat and, when it is in the tree, the mock national population registry.
#
# Every line of output is prefixed with the name of the process that wrote it. Ctrl-C (or
# SIGTERM/SIGHUP) stops exactly the processes started here, with their children, and
# exits. A process that dies on its own is reported; the others keep running.
#
# Expects `make setup` to have run (venv, PostgreSQL, Redis, migrations, demo data).
set -uo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT"
PY="$PROJECT/.venv/bin/python"
WEB_ADDR="${WEB_ADDR:-127.0.0.1:8000}"
STOP_GRACE_SECONDS="${STOP_GRACE_SECONDS:-10}"

say() { printf 'run_all   | %s\n' "$*" >&2; }

[[ -x "$PY" ]] || { say "ERROR: $PY not found; run 'make setup' first"; exit 1; }

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-edu_portal.settings.dev}"
export PYTHONUNBUFFERED=1
mkdir -p .local

NAMES=()
PIDS=()
ALIVE=()

start() {  # start NAME COMMAND...
    local name="$1"; shift
    local label; label="$(printf '%-9s |' "$name")"
    # setsid: the process leads its own process group, so stopping it reaches its children
    # too (Celery's pool), and a Ctrl-C at the terminal reaches only this script, which then
    # stops everything in order. $! is the process itself (setsid execs it without forking).
    # The prefixing sed ignores INT/TERM so the last lines of a shutdown still get through;
    # it ends when the process closes its output.
    setsid "$@" </dev/null > >(trap '' INT TERM HUP; exec sed -u "s/^/$label /") 2>&1 &
    PIDS+=("$!"); NAMES+=("$name"); ALIVE+=(1)
    say "started $name (pid $!): $*"
}

running() {  # running PID -- true while the process exists and is not a zombie
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { kill -0 "$1" 2>/dev/null; return; }
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
}

descendants() {  # descendants PID -- every process below PID, from a single ps snapshot
    ps -e -o pid= -o ppid= 2>/dev/null | awk -v root="$1" '
        { parent[$1] = $2 }
        END { for (p in parent) { x = p; while (x in parent && parent[x] > 1) { x = parent[x]; if (x == root) { print p; break } } } }'
}

STOPPING=0
stop_all() {
    [[ $STOPPING == 1 ]] && return
    STOPPING=1
    trap '' INT TERM HUP
    say "stopping: ${NAMES[*]}"
    local i pid snapshot=()
    for i in "${!PIDS[@]}"; do
        pid="${PIDS[$i]}"
        snapshot+=("$pid" $(descendants "$pid"))
        # The whole process group first (the process and its children), then the process itself
        # in case it has left its group.
        kill -TERM -- "-$pid" 2>/dev/null
        kill -TERM "$pid" 2>/dev/null
    done
    local deadline=$((SECONDS + STOP_GRACE_SECONDS)) left
    while ((SECONDS < deadline)); do
        left=0
        for pid in "${snapshot[@]}"; do running "$pid" && left=1; done
        ((left)) || break
        sleep 0.2
    done
    local stubborn=()
    for pid in "${snapshot[@]}"; do running "$pid" && stubborn+=("$pid"); done
    ((${#stubborn[@]})) && say "still running after ${STOP_GRACE_SECONDS}s, killing: ${stubborn[*]}"
    {   # (2>/dev/null: bash's own "Killed" job notices)
        for pid in "${stubborn[@]}"; do kill -KILL "$pid"; done
        for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid"; done
        wait
    } 2>/dev/null
    say "stopped"
}

trap 'stop_all; exit 0' INT TERM HUP
trap 'stop_all' EXIT

start web      "$PY" manage.py runserver "$WEB_ADDR" --noreload
# Every queue (edu_portal/settings/base.py, CELERY_SPLIT_QUEUES): one machine runs every kind of work.
start worker   "$PY" -m celery -A edu_portal worker -l info --concurrency 2 -Q celery,verification,imports,statistics
start beat     "$PY" -m celery -A edu_portal beat -l info --schedule .local/celerybeat-schedule
if [[ -d population_registry ]]; then
    start registry "$PY" -m population_registry
fi

banner() {
    local password="${DEMO_PASSWORD:-edu-demo-2026}"
    cat >&2 <<BANNER
run_all   |
run_all   | edu_portal is running at  http://$WEB_ADDR
run_all   | demo logins (password: $password):
run_all   |   ministry   the Ministry: the whole country
run_all   |   hanoi      Hà Nội Department of Education and Training
run_all   |   school     administrator of one Hà Nội school
run_all   |   school2    administrator of another Hà Nội school
run_all   |   school_hcm administrator of a Hồ Chí Minh City school
run_all   | Ctrl-C stops everything.
run_all   |
BANNER
}

web_answers() { (exec 3<>"/dev/tcp/${WEB_ADDR%:*}/${WEB_ADDR##*:}") 2>/dev/null; }

BANNER_DONE=0
STARTED_AT=$SECONDS
while :; do
    # Show the address once the server answers (or after 30 s regardless), so it is not
    # buried under the start-up logs.
    if ((BANNER_DONE == 0)) && { web_answers || ((SECONDS - STARTED_AT > 30)); }; then
        banner
        BANNER_DONE=1
        # The demo schools' pupils verified once (the worker and the mock registry are up by now), so
        # `school` finds mismatches on its to-do list as after a province's run; skipped once done.
        "$PY" manage.py verify_demo_schools 2>&1 | sed -u 's/^/run_all   | /' >&2 || true
    fi
    alive=0
    for i in "${!PIDS[@]}"; do
        ((ALIVE[i])) || continue
        if running "${PIDS[$i]}"; then
            alive=1
        else
            wait "${PIDS[$i]}" 2>/dev/null; rc=$?
            ALIVE[i]=0
            say "!!! ${NAMES[$i]} (pid ${PIDS[$i]}) exited with status $rc; the others keep running (Ctrl-C stops them)"
        fi
    done
    if ((alive == 0)); then
        say "every process has exited"
        exit 1
    fi
    # A background sleep: `wait` returns at once when a signal arrives, so Ctrl-C is immediate.
    sleep 1 &
    wait $!
done
