#!/usr/bin/env bash
# One command: install, migrate, compile translations, seed the demo, serve the portal with a
# Celery worker. Without DATABASE_URL/REDIS_URL: a SQLite file and in-process tasks.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
export PORT="${PORT:-8000}"
bash scripts/setup.sh
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A portal worker -l warning --concurrency 2 -Q "${CELERY_QUEUE:-portal}" &
  pids+=($!)
  .venv/bin/celery -A portal beat -l warning --schedule var/celerybeat-schedule &
  pids+=($!)
  echo "Celery worker and beat started on $REDIS_URL"
else
  echo "REDIS_URL not set: tasks run in-process."
fi
mkdir -p var
echo
echo "Portal: http://127.0.0.1:${PORT}/   (health: http://127.0.0.1:${PORT}/healthz)"
echo "Second factor for every demo account but the applicants: TOTP secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
echo "  (any authenticator app, or: oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ)"
echo
.venv/bin/python manage.py runserver "0.0.0.0:${PORT}" &
pids+=($!)
wait "${pids[-1]}"
