#!/usr/bin/env bash
# The README's main command: set up (first run only), then run the sample team on a task.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
exec "$PY" -m switchboard run "$@"
