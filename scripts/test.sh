#!/usr/bin/env bash
# One command: install, lint (ruff; import-linter contracts in pyproject.toml), run the whole test suite on
# PostgreSQL (and Redis, Celery,
# Chromium where tests need them). DATABASE_URL and REDIS_URL default to this machine's servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache
# Two processes (pytest-xdist) on these two-core machines: each has its own test database and its
# own Celery queue (portal/settings_test.py). PYTEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
