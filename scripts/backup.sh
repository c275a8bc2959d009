#!/usr/bin/env bash
# Back up the portal's PostgreSQL database: a custom-format pg_dump (compressed, restorable
# table by table with pg_restore, in parallel with -j).
#   scripts/backup.sh                 -> backups/<UTC time>.dump
#   scripts/backup.sh /path/x.dump    -> that file
# DATABASE_URL chooses the database (default: the local dev database).
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal}"
cd "$(dirname "$0")/.."

out="${1:-backups/$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT

# Write to a temporary name first: a half-written dump must never look like a backup.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$tmp" "$DATABASE_URL"
mv "$tmp" "$out"
chmod 600 "$out"  # the dump holds personal data
echo "backup written: $out ($(du -h "$out" | cut -f1))"
