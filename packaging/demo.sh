#!/usr/bin/env bash
# README command 1: set up, then replay the bundled demo live session.
# Extra arguments go to `livehost replay` (e.g. --speed 10, --no-audio, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup.sh
exec .venv/bin/livehost replay --speed max --out livehost-replay "$@"
