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
.venv/bin/python -m pytest "$@"
