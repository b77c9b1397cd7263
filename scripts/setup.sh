#!/usr/bin/env bash
# Installs what the portal needs: Debian packages (fonts, HarfBuzz subsetting, poppler, Chromium
# for browser tests, gettext) and a virtual environment with the pinned Python packages.
# Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(gettext fonts-noto-cjk fonts-arphic-ukai libharfbuzz-subset0 poppler-utils libpango-1.0-0
                 libpangoft2-1.0-0 libpq-dev chromium docker-compose oathtool)
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "Installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
# Compiling needs settings but no secrets: load them in development mode for this step only.
DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=staticfiles -v 0
