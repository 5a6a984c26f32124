#!/usr/bin/env bash
# Installs Debian's bubblewrap, the sandbox that LocalCommandLineCodeExecutor and the sessions emulator run
# model-written code in (user, mount, pid and network namespaces). Quiet when present.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1; then
  echo "install_sandbox: installing Debian's bubblewrap (apt)..." >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
fi
