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
# Headless browser for the web UI test (tests/test_browser.py): Debian's chromium + chromium-driver.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing chromium and chromium-driver (apt) for the browser test"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
      || echo "warning: chromium could not be installed; tests/test_browser.py will be skipped" >&2
  else
    echo "note: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) to run" \
      "tests/test_browser.py; it is skipped without them" >&2
  fi
fi
echo "ogi is set up in .venv (run: .venv/bin/ogi --help)"
