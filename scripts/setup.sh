#!/usr/bin/env bash
# Install what gdevo needs, idempotently: Debian packages, a .venv, pinned Python deps.
# Usage: scripts/setup.sh [--test|--cluster|--asr]   (--test adds what the test suite needs: chromium, firefox-esr,
# poppler, the Dask extra, the speech-recognition extra; --cluster adds only the Dask extra, for `--scheduler` and for
# a machine that is a worker; --asr adds only the speech-recognition extra, for `gdevo bench --narration`)
# Each step checks first and skips what is already there, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config ffmpeg texlive-latex-base texlive-latex-recommended
              texlive-latex-extra texlive-fonts-recommended dvisvgm poppler-utils espeak-ng)
if [[ "${1:-}" == "--test" ]]; then
  APT_PACKAGES+=(chromium firefox-esr)   # firefox-esr: the web explorer is checked in both browsers
fi
# npm fetches reveal.js once for the offline lecture deck (gdevo slides); only if no npm is on PATH.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# Pinned packages go in with uv (pinned too): on a fresh 2-core machine `uv pip install` took 19 s where
# pip took 49 s for the same requirements.txt, the same versions (pip freeze equal). uv reads no pip.conf,
# so pip's configured find-links (where a machine keeps wheels such as the CPU build of torch) are
# passed on. Where uv cannot run, pip installs as before.
UV_VERSION=0.13.9
pip_install() {   # ARGS...: pip install ARGS into .venv, by uv where it works
  if [[ ! -x .venv/bin/uv ]] || [[ "$(.venv/bin/uv --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION" >/dev/null 2>&1 || true
  fi
  if [[ -x .venv/bin/uv ]]; then
    local links=() link
    for link in ${PIP_FIND_LINKS:-} $(.venv/bin/python -m pip config get global.find-links 2>/dev/null || true); do
      links+=(--find-links "$link")
    done
    if .venv/bin/uv pip install -q --python .venv/bin/python "${links[@]}" "$@"; then
      return 0
    fi
    echo "setup: uv could not install $*; trying pip"
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check "$@"
}
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
have=$(cat .venv/.installed 2>/dev/null || true)
if [[ "$want" != "$have" ]]; then
  echo "setup: installing pinned Python packages (requirements.txt)"
  pip_install -r requirements.txt
  pip_install --no-deps -e .
  echo "$want" > .venv/.installed
fi
# An extra installs once per change of its pinned requirements file (the marker in .venv says which it has).
extra() {   # NAME FILE WHAT
  local want; want=$(sha256sum "$2" | cut -d' ' -f1)
  if [[ "$want" != "$(cat ".venv/.installed-$1" 2>/dev/null || true)" ]]; then
    echo "setup: installing $3 ($2)"
    pip_install -r "$2"
    echo "$want" > ".venv/.installed-$1"
  fi
}
# The Dask extra (gdevo[cluster]): the tests start a real cluster.
if [[ "${1:-}" == "--test" || "${1:-}" == "--cluster" ]]; then
  extra cluster requirements-cluster.txt "the Dask extra"
fi
# The speech-recognition extra (gdevo[asr]): `gdevo bench --narration` and its test.
if [[ "${1:-}" == "--test" || "${1:-}" == "--asr" ]]; then
  extra asr requirements-asr.txt "the speech-recognition extra"
fi
