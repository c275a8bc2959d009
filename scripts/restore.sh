#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh.
#   scripts/restore.sh backups/x.dump                 -> into DATABASE_URL (replaces its tables)
#   scripts/restore.sh backups/x.dump postgres://...  -> into another (e.g. an empty) database
# Objects in the dump are dropped first (--clean --if-exists); the whole restore runs in one
# transaction, so a failed restore leaves the target as it was. Stop the web processes and
# workers first when restoring over a live database.
set -euo pipefail

file="${1:?usage: scripts/restore.sh <file.dump> [target database URL]}"
target="${2:-${DATABASE_URL:-postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal}}"
[[ -r "$file" ]] || { echo "restore: cannot read $file" >&2; exit 2; }

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$target" "$file"
echo "restored $file into ${target%%\?*}" | sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#'
