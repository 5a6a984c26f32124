#!/usr/bin/env bash
# Installs the pinned JavaScript SDKs of the conformance suite (tests/js: @azure/service-bus, @azure/cosmos)
# with `npm ci`. Skipped when tests/js/node_modules already matches package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"
if ! command -v npm >/dev/null 2>&1; then
  echo "install_js: npm not found; the JavaScript conformance suite (tests/js) needs Node.js 20+ and npm" >&2
  exit 1
fi
stamp=node_modules/.switchboard-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "install_js: npm ci in tests/js (pinned Azure JavaScript SDKs)..." >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
