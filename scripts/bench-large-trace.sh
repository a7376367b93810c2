#!/usr/bin/env bash
# Builds the release page and measures how smoothly it draws and navigates the largest trace it accepts (issue 9,
# part 4): the longest main-thread task while Predict draws it and the frames per second while zooming and panning
# its timeline (median of 3 runs). Prints a summary and writes bench-results/large-trace.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
trunk build --release --offline
(cd tests/e2e && node bench-large-trace.mjs "$@")
