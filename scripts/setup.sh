#!/usr/bin/env bash
# Set up ogi on a fresh machine: a virtualenv in .venv with the pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import scrapy, trafilatura, sqlite_utils, extract, crawler, ogi" \
  || { echo "setup failed: packages did not install" >&2; exit 1; }
echo "ogi is set up in .venv (run: .venv/bin/ogi --help)"
