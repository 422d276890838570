#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, then the linter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -q "$@"
.venv/bin/ruff check .
# Architecture contracts (pyproject.toml [tool.importlinter]): layers one way, families independent.
.venv/bin/lint-imports
