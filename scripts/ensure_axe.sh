#!/usr/bin/env bash
# Make sure axe-core (Deque's accessibility engine, from npm) is in .local/axe for the page walker
# (tests/pages/test_walk.py injects .local/axe/node_modules/axe-core/axe.min.js into each page).
# Pinned: a new axe release adds rules, and a rule change should arrive as a reviewed commit, not as a red build.
# Without npm it only warns; the walker then fails and says how to install it.
set -euo pipefail

AXE_VERSION=4.14.1
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/.local/axe"
PKG="$PREFIX/node_modules/axe-core/package.json"

say() { printf 'ensure_axe: %s\n' "$*" >&2; }

if [[ -f "$PKG" ]] && grep -q "\"version\": \"$AXE_VERSION\"" "$PKG"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]]; then
        say "installing npm (apt-get install npm)"
        export DEBIAN_FRONTEND=noninteractive
        apt=(apt-get -q -y -o DPkg::Lock::Timeout=900)
        "${apt[@]}" install npm >&2 || { "${apt[@]}" update >&2 && "${apt[@]}" install npm >&2; }
    else
        say "WARNING: npm is missing and we are not root; the page walker will fail. Install npm, then rerun."
        exit 0
    fi
fi
mkdir -p "$PREFIX"
say "installing axe-core@$AXE_VERSION into $PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --silent "axe-core@$AXE_VERSION" >&2
[[ -f "$PREFIX/node_modules/axe-core/axe.min.js" ]] || { say "ERROR: axe-core installed but axe.min.js is missing"; exit 1; }
