#!/usr/bin/env bash
# Installs what the browser test of the App Insights emulator's waterfall page needs (tests/emulators/appinsights):
# Debian's chromium (apt) and the playwright Python package (the pyproject `dev` extra). Playwright's own browser
# download is not used: the test launches /usr/bin/chromium through `executable_path`. Quiet when both are present.
set -euo pipefail
cd "$(dirname "$0")/.."
# The interpreter to install into: PYTHON (scripts/setup.sh passes the project venv's), else .venv's, else python3.
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "install_browser: installing Debian's chromium (apt)..." >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! (cd / && "$PY" -c "import playwright.sync_api") 2>/dev/null; then
  echo "install_browser: installing playwright (pip, the dev extra)..." >&2
  "$PY" -m pip install --disable-pip-version-check -q -e ".[dev]"
fi
