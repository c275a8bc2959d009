#!/usr/bin/env bash
# Create .venv (if missing) and install requirements*.txt into it, but only when one of
# them is newer than the stamp .venv/.installed, so repeated runs take milliseconds.
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT"
VENV=.venv
STAMP="$VENV/.installed"

say() { printf 'venv: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[[ -f requirements.txt ]] || die "requirements.txt not found in $PROJECT"

# Django 5.2 needs Python >= 3.10. $PYTHON wins; then python3 (a pyenv shim is fine).
pick_python() {
    local c
    for c in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python3.10; do
        command -v "$c" >/dev/null 2>&1 || continue
        "$c" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null && { echo "$c"; return 0; }
    done
    return 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
    py="$(pick_python)" || die "no Python >= 3.10 found (set PYTHON=/path/to/python3.x)"
    say "creating $VENV with $py ($("$py" --version 2>&1))"
    if ! "$py" -m venv "$VENV"; then
        rm -rf "$VENV"   # we just created it; leave no half-made venv behind
        die "'$py -m venv' failed; on Debian/Ubuntu install the python3-venv package"
    fi
fi

"$VENV/bin/python" -c '' 2>/dev/null \
    || die "$VENV/bin/python does not run (its base Python moved or was removed?); delete $VENV and run again"

needs_install=0
[[ -f "$STAMP" ]] || needs_install=1
for req in requirements*.txt; do
    [[ "$req" -nt "$STAMP" ]] && needs_install=1
done

if [[ $needs_install == 1 ]]; then
    say "installing requirements.txt into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -r requirements.txt
    touch "$STAMP"
fi
