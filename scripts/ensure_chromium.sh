#!/usr/bin/env bash
# Make sure /usr/bin/chromium exists for the browser tests (Playwright drives it headless).
# Installs it with apt when root; otherwise only warns, so the rest of `make test` still runs.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

say() { printf 'ensure_chromium: %s\n' "$*" >&2; }

[[ -x "$CHROMIUM" ]] && exit 0

if [[ "$(id -u)" != 0 ]]; then
    say "WARNING: $CHROMIUM is missing and we are not root; browser tests will fail or be skipped. Install it with: sudo apt-get install chromium"
    exit 0
fi

say "installing chromium (apt-get install chromium)"
apt=(apt-get -q -y -o DPkg::Lock::Timeout=900)
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" install chromium >&2 || { "${apt[@]}" update >&2 && "${apt[@]}" install chromium >&2; }
[[ -x "$CHROMIUM" ]] || { say "ERROR: chromium installed but $CHROMIUM is missing"; exit 1; }
