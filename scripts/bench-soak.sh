#!/usr/bin/env bash
# Builds the release page and checks that its memory stays flat over 100 run/stop cycles alternating
# multitasking and multiprocessing, then a full run (issue 12, part 5). Prints the WebAssembly memory and the JS
# heap every 10 cycles and writes bench-results/soak.json. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
trunk build --release --offline
(cd tests/e2e && node bench-soak.mjs "$@")
