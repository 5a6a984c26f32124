#!/usr/bin/env bash
# The README's test command: set up everything in .venv (first run only), then run pytest with the given arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec .venv/bin/python -m pytest "$@"
