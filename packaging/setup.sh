#!/usr/bin/env bash
# LiveHost set-up: system packages (Debian/Ubuntu), a virtual environment in .venv, and the
# Python packages. Safe to run again: it only does what is missing.
# Used by packaging/demo.sh and packaging/test.sh (the README's two commands).
set -euo pipefail
cd "$(dirname "$0")/.."

# libxcb-*: Qt's xcb platform plugin needs them to open windows on a real or virtual (Xvfb) screen.
SYSTEM_PACKAGES="espeak-ng libportaudio2 libsndfile1 xvfb fonts-noto-cjk fonts-noto-color-emoji libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 chromium"

# --- system packages ---------------------------------------------------------------
if [ -r /etc/debian_version ] && command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $SYSTEM_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ]; then
      echo "livehost setup: installing system packages:$missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "livehost setup: these system packages are missing:$missing" >&2
      echo "Install them, then run this command again:" >&2
      echo "  sudo apt-get install -y$missing" >&2
      exit 1
    fi
  fi
else
  echo "livehost setup: not a Debian system - skipping system packages." \
       "(Windows/macOS need nothing extra; other Linux: install espeak-ng, PortAudio, Xvfb, a CJK font.)"
fi

# --- python ------------------------------------------------------------------------
PY=""
for cand in python3.11 python3.12 python3.13 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    PY="$cand"; break
  fi
done
if [ -z "$PY" ]; then
  echo "livehost setup: Python 3.11 or newer is needed (apt-get install python3 python3-venv)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "livehost setup: creating the virtual environment .venv"
  "$PY" -m venv .venv || { echo "Creating a venv failed: install python3-venv (apt-get install python3-venv)." >&2; exit 1; }
fi

# Re-install only when the project's requirements changed.
stamp=".venv/.livehost-installed"
want="$(cat pyproject.toml packaging/constraints.txt packaging/setup.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "livehost setup: installing Python packages (first run takes a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c packaging/constraints.txt -e ".[test,train]"
  echo "$want" > "$stamp"
fi
