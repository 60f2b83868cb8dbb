#!/usr/bin/env bash
# tools/setup.sh — everything esnapmd needs to build, run and test, on a Debian or Ubuntu machine (as root, or a
# user with sudo). Run from anywhere; a second run only checks and returns at once.
#   1. Debian packages: compiler, CMake, Catch2, FFTW, zlib, Open MPI, Python with venv.
#   2. .venv/ in the repository: a Python virtual environment with the modules of tools/requirements.txt (numpy,
#      matplotlib, ASE), made from the python3 on PATH, whatever interpreter that is. CMake gives the tests this
#      interpreter (ESNAP_PYTHON), so the Python-driven tests never depend on where Debian put its modules; a .pth
#      file there puts python/ (the package esnapmd of this checkout, which loads build/libesnapmd.so) on its path.
# The CUDA toolkit (nvcc) is optional and not installed here: the CUDA backend is built when nvcc is found.
# Environment: ESNAP_SETUP_APT=0 skips step 1, ESNAP_SETUP_PYTHON=0 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake git pkg-config catch2 libfftw3-dev zlib1g-dev libopenmpi-dev openmpi-bin
      python3 python3-venv python3-pip)

if [ "${ESNAP_SETUP_APT:-1}" != "0" ]; then
  missing=()
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
      command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
      SUDO="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ "${ESNAP_SETUP_PYTHON:-1}" != "0" ]; then
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import sys" 2>/dev/null; then
    rm -rf .venv
    python3 -m venv .venv
  fi
  if ! .venv/bin/python tools/check_requirements.py tools/requirements.txt 2>/dev/null; then
    echo "setup: installing Python modules into .venv (tools/requirements.txt)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements.txt
  fi
  # `import esnapmd` in .venv: the package of this checkout (python/esnapmd), which loads build/libesnapmd.so
  # of the README's build (or $ESNAPMD_LIBRARY); `pip install .` is the alternative that builds its own copy
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$(pwd)/python" > "$site/esnapmd-checkout.pth"
fi
