#!/usr/bin/env bash
# Installs everything Switchboard needs on a fresh machine. Idempotent: a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
stamp=.cache/setup.stamp
mkdir -p .cache
# Reinstall only when the dependency declarations changed since the last successful setup.
want=$(cat pyproject.toml requirements.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! (cd / && "$PY" -c "import switchboard, pytest, azure.servicebus, azure.cosmos, autogen_agentchat, autogen_ext.models.replay") 2>/dev/null; then
  echo "setup: installing Python dependencies (first run takes a minute)..." >&2
  "$PY" -m pip install --disable-pip-version-check -q -e ".[dev,emulators,bench]"
  # The benchmarks' peer, without its protobuf~=5.29 pin (see the bench extra in pyproject.toml); AgentChat and the
  # replay model client of the same release for the side-by-side team tests (they need nothing beyond autogen-core).
  "$PY" -m pip install --disable-pip-version-check -q --no-deps "autogen-core==0.7.5" "autogen-agentchat==0.7.5" \
    "autogen-ext==0.7.5"
  echo "$want" > "$stamp"
fi
# Debian's chromium and playwright for the browser test of the App Insights waterfall page (quiet when present).
bash scripts/install_browser.sh
# Debian's bubblewrap: the sandbox of the local code executor and the sessions emulator (quiet when present).
bash scripts/install_sandbox.sh
# The pinned JavaScript SDKs of the conformance suite in tests/js (npm ci, skipped when current).
bash scripts/install_js.sh
# The embedded real model `switchboard run` uses when no endpoint is configured (compiled once, ~5 minutes).
bash scripts/install_local_model.sh
