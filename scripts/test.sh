#!/usr/bin/env bash
# Ferry's whole test suite, as CI runs it (.ci/run): setup, the front end's type check, then
# every Rust test of the workspace. That includes tests/gui.rs, which drives the real app
# through tauri-driver and starts its own Xvfb when DISPLAY is unset. Exits non-zero on any
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

echo "== ui: svelte-check"
npm --prefix ui run --silent check

echo "== cargo test --workspace --no-fail-fast"
cargo test --workspace --no-fail-fast
