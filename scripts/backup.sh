#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the file store (uploads and generated
# documents), each with its SHA-256 in a manifest. docs/security.md (数据备份恢复) describes the whole
# procedure, scripts/restore.sh the way back.
#
#   DATABASE_URL=postgres://portal:…@host:5432/portal MEDIA_ROOT=/app/var/files scripts/backup.sh /backups
#
# DATABASE_URL: the owner role (the one that migrates); MEDIA_ROOT: the file store. With object storage
# (AWS_STORAGE_BUCKET_NAME) back the bucket up with its own versioning/replication instead of the tar.
set -euo pipefail
dest="${1:?usage: scripts/backup.sh DESTINATION_DIRECTORY}"
: "${DATABASE_URL:?set DATABASE_URL (the owner role)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the file store)}"
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$dest"
dump="$dest/portal-$stamp.dump"
files="$dest/files-$stamp.tar.gz"
# One consistent snapshot of every table (the audit trail, its trigger and the logs included).
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --file="$dump"
tar -C "$MEDIA_ROOT" -czf "$files" .
(cd "$dest" && sha256sum "$(basename "$dump")" "$(basename "$files")" > "manifest-$stamp.sha256")
echo "$dump"
echo "$files"
echo "$dest/manifest-$stamp.sha256"
