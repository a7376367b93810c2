#!/usr/bin/env bash
# Installs what is missing, then runs every test: native cargo tests, in-browser wasm tests, end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "native tests (cargo test)"
cargo test --workspace --exclude tasklab-web

step "in-browser tests (wasm-pack test --headless --chrome)"
for crate in crates/tasklab-engine crates/tasklab-core; do
  wasm-pack test --headless --chrome "$crate"
done

step "build the release page (trunk build --release)"
trunk build --release --offline

step "end-to-end tests (Playwright + Debian chromium)"
(cd tests/e2e && npm test)
