#!/usr/bin/env bash
# One command: install, migrate, compile translations, seed the demo, serve the portal with a
# Celery worker. Without DATABASE_URL/REDIS_URL: a SQLite file and in-process tasks.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
export PORT="${PORT:-8000}"
bash scripts/setup.sh
mkdir -p var/log
# Seeding, the servers and the worker write to var/log/ (development mail: var/mail/), so the
# terminal ends with what a developer needs: the URL and the demo accounts.
.venv/bin/python manage.py migrate --noinput -v 0
echo "Seeding the demo data (log: var/log/seed.log) …"
if ! .venv/bin/python manage.py seed_demo > var/log/seed.log 2>&1; then
  tail -n 40 var/log/seed.log
  exit 1
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A portal worker -l warning --concurrency 2 -Q "${CELERY_QUEUE:-portal}" >> var/log/celery-worker.log 2>&1 &
  pids+=($!)
  .venv/bin/celery -A portal beat -l warning --schedule var/celerybeat-schedule >> var/log/celery-beat.log 2>&1 &
  pids+=($!)
  tasks="Celery worker and beat on $REDIS_URL (logs: var/log/celery-*.log)"
else
  tasks="REDIS_URL not set: tasks run in-process"
fi
.venv/bin/python manage.py runserver "0.0.0.0:${PORT}" >> var/log/runserver.log 2>&1 &
pids+=($!)
# Wait until the portal answers, then say where everything is, the URL and the accounts last.
for _ in $(seq 1 60); do
  if .venv/bin/python -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "http://127.0.0.1:${PORT}/accounts/login/" 2>/dev/null; then
    break
  fi
  sleep 1
done
echo
echo "$tasks. Server log: var/log/runserver.log. Development mail: var/mail/."
.venv/bin/python manage.py seed_demo --accounts
echo
echo "Portal: http://127.0.0.1:${PORT}/   (health: http://127.0.0.1:${PORT}/healthz)"
wait "${pids[-1]}"
