#!/bin/sh
# First start of the database volume (docker-entrypoint-initdb.d): the serving role. The owner role
# (POSTGRES_USER) creates the database, migrates and owns every table; the web processes, workers and
# beat connect as portal_app, which `manage.py grant_serving_role portal_app` (run by the migrate
# service after every migration) lets read and write the portal's tables but only SELECT and INSERT on
# the audit trail and the workflow logs. On an existing volume create the role once by hand the same way.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD}" \
     --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE portal_app LOGIN PASSWORD :'pw' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SQL
