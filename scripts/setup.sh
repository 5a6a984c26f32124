#!/usr/bin/env bash
# Installs Switchboard into the project virtual environment .venv (created on first use), never into the interpreter
# that happens to be first on the PATH (a Debian system Python refuses `pip install -e` there anyway).
#
#   bash scripts/setup.sh run    what the main job needs: the package with its emulators extra and the local model
#   bash scripts/setup.sh test   everything (the default): dev tools, autogen peers, Chromium, npm packages, the model
#
# Idempotent: a stamp inside .venv records what was installed and from which dependency declarations, so a second
# run is quick; deleting .venv starts over.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
case "$mode" in
  run | test) ;;
  *) echo "setup: unknown mode '$mode' (expected 'run' or 'test')" >&2; exit 2 ;;
esac
VENV=.venv
PY=$PWD/$VENV/bin/python  # absolute, so it also works from the probe's directory
if [ ! -x "$PY" ]; then
  # The interpreter that creates the venv: PYTHON if set, else python3 (3.11 or newer, as pyproject.toml requires).
  BASE=${PYTHON:-python3}
  if ! "$BASE" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: $BASE is not Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  echo "setup: creating the project virtual environment $VENV with $("$BASE" -c 'import sys; print(sys.executable)')" >&2
  if ! "$BASE" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "setup: '$BASE -m venv' failed; on Debian/Ubuntu install python3-venv (apt-get install python3-venv)" >&2
    exit 1
  fi
fi
# Reinstall only when the dependency declarations changed since the last successful setup of this mode in this venv.
want=$( (echo "$mode"; cat pyproject.toml requirements.txt) | sha256sum | cut -d' ' -f1)
stamp=$VENV/.switchboard-setup-$mode.stamp
if [ "$mode" = run ]; then
  extras="emulators"
  probe="import switchboard, local_emulators, azure.servicebus, azure.cosmos, h11, regex"
else
  extras="dev,emulators,bench"
  probe="import switchboard, pytest, azure.servicebus, azure.cosmos, autogen_agentchat, autogen_ext.models.replay"
fi
# The probe runs outside the clone so that only what is installed in the venv can satisfy it.
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! (cd / && "$PY" -c "$probe") 2>/dev/null; then
  echo "setup: installing Python dependencies into $VENV ($mode; the first time takes a few minutes)..." >&2
  "$PY" -m pip install --disable-pip-version-check -q -e ".[$extras]"
  if [ "$mode" = test ]; then
    # The benchmarks' peer, without its protobuf~=5.29 pin (see the bench extra in pyproject.toml); AgentChat and the
    # replay model client of the same release for the side-by-side team tests (they need nothing beyond autogen-core).
    "$PY" -m pip install --disable-pip-version-check -q --no-deps "autogen-core==0.7.5" "autogen-agentchat==0.7.5" \
      "autogen-ext==0.7.5"
  fi
  echo "$want" > "$stamp"
fi
# Debian's bubblewrap: the sandbox of the local code executor and the sessions emulator (quiet when present).
bash scripts/install_sandbox.sh
if [ "$mode" = test ]; then
  # Debian's chromium and playwright for the browser test of the App Insights waterfall page (quiet when present).
  PYTHON="$PY" bash scripts/install_browser.sh
  # The pinned JavaScript SDKs of the conformance suite in tests/js (npm ci, skipped when current).
  bash scripts/install_js.sh
fi
# The embedded real model `switchboard run` uses when no endpoint is configured (compiled once, ~5 minutes).
PYTHON="$PY" bash scripts/install_local_model.sh
