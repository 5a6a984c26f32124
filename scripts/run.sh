#!/usr/bin/env bash
# The README's main command: set up what the main job needs in .venv (first run only), then run the sample team.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
exec .venv/bin/python -m switchboard run "$@"
