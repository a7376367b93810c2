#!/usr/bin/env bash
# Installs what is missing, then runs every test: native cargo tests, in-browser wasm tests, end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "style and lints (rustfmt, clippy -D warnings natively and for the page in wasm32)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p tasklab-web --target wasm32-unknown-unknown -- -D warnings

step "native tests (cargo test, including the page state natively)"
cargo test --workspace

step "in-browser tests (wasm-pack test --headless --chrome)"
for crate in crates/tasklab-engine crates/tasklab-core; do
  wasm-pack test --headless --chrome "$crate"
done

step "build the release page (trunk build --release)"
trunk build --release --offline

step "end-to-end tests (Playwright + Debian chromium)"
(cd tests/e2e && npm test)
