#!/usr/bin/env bash
# The README's test command: set up everything in .venv (first run only), then run pytest with the given arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
# Two workers (one per core of the reference machine), a test module per worker at a time so that its module-scoped
# emulators stay in one process: most tests wait on emulator and host processes, so the suite takes about half the
# time. SWITCHBOARD_TEST_WORKERS=0 runs it in one process.
exec .venv/bin/python -m pytest -n "${SWITCHBOARD_TEST_WORKERS:-2}" --dist loadfile "$@"
