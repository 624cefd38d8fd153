#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, a small load run, the fuzz
# targets for a bounded time, and the browser test.
# Works on a fresh machine with the Rust toolchain and Node.js: the browser test installs
# Debian's chromium and the locked playwright-core when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# A minimal rustup profile has neither rustfmt nor clippy.
if command -v rustup >/dev/null && ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
  echo "== installing rustfmt and clippy (rustup)"
  rustup component add rustfmt clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test (unit, golden, scenario and swarm tests)"
cargo test --workspace

echo "== load tools check: 1,000 bots, one question; the socket floor (behaviour, not timing)"
cargo build --release -p quizrace -p quizrace-tests
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
timeout 300 target/release/loadtest --players 1000 --questions 1 --mode classic --settle-ms 200
timeout 300 target/release/loadtest --players 1000 --questions 1 --mode race --settle-ms 200
timeout 120 target/release/floor --sockets 1000 --rounds 1

echo "== fuzz targets: frame parsing and room command sequences, 30 s each"
bash scripts/fuzz.sh

echo "== browser tests: a game (host, presenter, five phones) and the management pages in headless Chromium"
bash scripts/browser-test.sh
