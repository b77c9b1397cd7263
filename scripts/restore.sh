#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW, EMPTY database and an empty file store, then
# prove it: the schema is current, the audit chain verifies, every stored file matches its SHA-256.
#
#   DATABASE_URL=postgres://portal:…@host:5432/portal_restored MEDIA_ROOT=/restore/files \
#     SERVING_ROLE=portal_app scripts/restore.sh /backups/portal-….dump /backups/files-….tar.gz
#
# DATABASE_URL: the new database, as the role that will own it (create it first: createdb -O portal …).
# SERVING_ROLE (optional): the role the web processes connect as, granted its privileges afresh.
# PYTHON: the interpreter with the portal installed (default: .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
dump="${1:?usage: scripts/restore.sh DUMP FILES_TAR}"
files="${2:?usage: scripts/restore.sh DUMP FILES_TAR}"
: "${DATABASE_URL:?set DATABASE_URL (the new, empty database)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (an empty directory for the file store)}"
python="${PYTHON:-.venv/bin/python}"
manifest="$(dirname "$dump")/manifest-$(basename "$dump" .dump | sed 's/^portal-//').sha256"
if [ -f "$manifest" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$manifest")")
fi
# Ownership and grants are the new database's own: objects belong to the restoring role, privileges are
# granted again below.
pg_restore --dbname="$DATABASE_URL" --no-owner --no-acl --exit-on-error "$dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$files"
"$python" manage.py migrate --check --noinput
if [ -n "${SERVING_ROLE:-}" ]; then
  "$python" manage.py grant_serving_role "$SERVING_ROLE"
fi
"$python" manage.py verify_audit
"$python" manage.py verify_stored_files
# What the cache kept from the database this one replaces is never served (pagecache).
"$python" manage.py forget_cached_pages
echo "Restore verified."
