#!/usr/bin/env bash
# Set up ogi on a fresh machine: a virtualenv in .venv with the pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# System tools (Debian): OCR for scanned reports, LibreOffice to convert DOC/WPS/RTF, a CJK font so
# PDFs with non-embedded Chinese fonts render for OCR. Installed only when a command is missing and
# apt-get can run as root (or sudo works without a password); otherwise say what to install and go on:
# ogi works without them and records "OCR needed but tesseract is not installed (...)" where it matters.
# OGI_SKIP_SYSTEM=1 skips this section.
system_packages() {
  local missing=()
  command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-chi-sim)
  if command -v tesseract >/dev/null 2>&1 && ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
    missing+=(tesseract-ocr-chi-sim)
  fi
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  if command -v fc-list >/dev/null 2>&1; then
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  else
    missing+=(fonts-wqy-microhei)
  fi
  # PostgreSQL server: the tests start their own (tests/pgserver.py) to test the multi-machine backend.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = "none" ]; then
    echo "note: for OCR and DOC/WPS conversion install: ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]})" >&2
    return 0
  fi
  echo "installing system packages: ${missing[*]}"
  # shellcheck disable=SC2086
  if ! { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "note: could not install ${missing[*]}; OCR / DOC conversion will be reported as unavailable" >&2
  fi
}
[ "${OGI_SKIP_SYSTEM:-0}" = "1" ] || system_packages || true
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
