# Sourced by the scripts: puts the project's tools first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# wasm-pack checks crates.io for a newer version of itself; this machine may not reach it quickly.
export WASM_PACK_DISABLE_VERSION_CHECK=1
