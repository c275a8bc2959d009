#!/usr/bin/env bash
# Make sure `wrk` (the HTTP load generator of bench/api.py) is on the PATH for `make bench`.
# Installs Debian's package with apt when root; otherwise only warns, so the other benchmarks
# still run (bench.api then reports itself failed, saying wrk is missing).
set -euo pipefail

say() { printf 'ensure_wrk: %s\n' "$*" >&2; }

command -v wrk >/dev/null 2>&1 && exit 0

if [[ "$(id -u)" != 0 ]]; then
    say "WARNING: wrk is missing and we are not root; the API benchmark will fail. Install it with: sudo apt-get install wrk"
    exit 0
fi

say "installing wrk (apt-get install wrk)"
# Another apt/dpkg run (e.g. a parallel ensure_* script) holds the lock: wait for it rather than fail.
apt=(apt-get -q -y -o DPkg::Lock::Timeout=900)
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" install wrk >&2 || { "${apt[@]}" update >&2 && "${apt[@]}" install wrk >&2; }
command -v wrk >/dev/null 2>&1 || { say "ERROR: wrk installed but not on the PATH"; exit 1; }
