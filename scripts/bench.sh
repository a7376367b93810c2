#!/usr/bin/env bash
# Builds the release page and measures it in headless Chromium (speed-up, multitasking overhead, responsiveness,
# cost of a yield). Prints a table and writes bench-results/page.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
# With --dist the builds to measure are given (e.g. --dist /tmp/before,/tmp/after): dist/ is not rebuilt.
if [[ " $* " != *" --dist "* ]]; then
  trunk build --release --offline
fi
(cd tests/e2e && node bench.mjs "$@")
