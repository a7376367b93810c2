#!/usr/bin/env bash
# Builds the release page and measures, for every preset in multitasking and in multiprocessing on 2 workers, how
# far real runs are from their model (makespan and mean turnaround, median of 5 runs). Prints a table and writes
# bench-results/model.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
trunk build --release --offline
(cd tests/e2e && node bench-model.mjs "$@")
