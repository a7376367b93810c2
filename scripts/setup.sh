#!/usr/bin/env bash
# Installs everything tasklab needs that is missing, and nothing that is already there at the right version.
# Idempotent: a second run takes a few seconds. Used by scripts/serve.sh, scripts/test.sh and scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
TRUNK_VERSION=0.22.1
WASM_PACK_VERSION=0.15.1
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or trunk/wasm-pack try to download one.
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian chromium + chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! rustup toolchain list | grep -q "^$TOOLCHAIN"; then
  say "installing Rust $TOOLCHAIN (rust-src, wasm32-unknown-unknown)"
  rustup toolchain install "$TOOLCHAIN" --profile minimal -c rust-src -c rustfmt -c clippy -t wasm32-unknown-unknown
fi
# Components may be missing from a toolchain installed by someone else.
rustup component add --toolchain "$TOOLCHAIN" rust-src rustfmt clippy >/dev/null 2>&1 || true
rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown >/dev/null 2>&1 || true

if ! has_version trunk "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 11 minutes on 2 cores)"
  cargo "+$TOOLCHAIN" install --locked trunk --version "$TRUNK_VERSION"
fi
if ! has_version wasm-bindgen "$BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $BINDGEN_VERSION"
  # Not --locked: its locked webpki-roots version is no longer on the registry.
  cargo "+$TOOLCHAIN" install --force wasm-bindgen-cli --version "$BINDGEN_VERSION"
fi
if ! has_version wasm-pack "$WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo "+$TOOLCHAIN" install --locked wasm-pack --version "$WASM_PACK_VERSION"
fi

# Node tools (playwright-core for end-to-end tests, axe-core for their accessibility checks, binaryen's wasm-opt which can read threaded modules).
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ ! -d tests/e2e/node_modules/playwright-core ] \
   || [ ! -d tests/e2e/node_modules/axe-core ] \
   || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  say "installing node packages in tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi
say "all tools present"
