#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, then the scenario tests again
# on PostgreSQL (QUIZRACE_TEST_BACKEND=postgres: every test server a one-node cluster on one
# throw-away PostgreSQL), a small load run, and the browser test. The fuzz targets and the
# big load runs are in the long run, scripts/test-long.sh.
# Works on a fresh machine with the Rust toolchain and Node.js: PostgreSQL, HAProxy and
# nats-server (for the cluster tests, which start their own throw-away ones) are installed
# from Debian's packages when missing, and the browser test installs Debian's chromium and the locked
# playwright-core when they are missing. apt-get runs as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo -n "$@"
  else
    echo "error: $* needs root: run it as root, or install what it installs by hand" >&2
    return 1
  fi
}

# PostgreSQL: Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH.
have_postgres() {
  command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
if ! have_postgres || [ ! -x /usr/sbin/haproxy ] || ! command -v nats-server >/dev/null; then
  echo "== installing postgresql, haproxy and nats-server (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql haproxy nats-server
  # The package starts a system PostgreSQL on port 5432; the tests use their own and do not
  # need it (it is left as the package set it up).
  have_postgres || { echo "error: postgresql installed, but no initdb found" >&2; exit 1; }
fi

# A clean run gains nothing from incremental compilation, which keeps gigabytes beside the
# build (see the dev profile in Cargo.toml for the rest of the disk budget).
export CARGO_INCREMENTAL=0

# Each step prints the time since the start and the disk left, so a slow or full machine
# shows where.
started=$(date +%s)
step() {
  local free
  free=$(df -Ph . | awk 'NR == 2 { print $4 }')
  printf '== [%d s, %s free] %s\n' "$(($(date +%s) - started))" "$free" "$*"
}

# A minimal rustup profile has neither rustfmt nor clippy.
if command -v rustup >/dev/null && ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
  echo "== installing rustfmt and clippy (rustup)"
  rustup component add rustfmt clippy
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit, golden, scenario and swarm tests; the cluster's node loss 10 rounds)"
# The node-loss test kills the room's node at a seeded moment, 3 rounds by default; the
# issue's run is 10 (about 25 s a round here).
QUIZRACE_CLUSTER_ROUNDS=10 cargo test --workspace

# The same socket scenarios against the other backend (the store tests already run on both).
# Tests about SQLite's file or process, and the cluster tests that start their own
# PostgreSQL, print why they skip this pass. It takes about 4.5 minutes of test time on two
# busy cores (the cluster tests, the slowest, ran in the first pass already).
step "cargo test: the socket scenarios again on PostgreSQL (every test server a one-node cluster)"
# `--workspace --test '*'` selects the same packages as the first pass, so cargo resolves
# the same features and reuses every build; `-p quizrace-tests` would build it all again.
QUIZRACE_TEST_BACKEND=postgres cargo test --workspace --test '*'

step "load tools check: 1,000 bots, one question; the socket floor; 100 assignment attempts; a 100,000-player giant room, simulated (behaviour, not timing)"
cargo build --release -p quizrace -p quizrace-tests
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
timeout 300 target/release/loadtest --players 1000 --questions 1 --mode classic --settle-ms 200
timeout 300 target/release/loadtest --players 1000 --questions 1 --mode race --settle-ms 200
timeout 120 target/release/floor --sockets 1000 --rounds 1
timeout 120 target/release/homeworkload --players 100
# One giant room's owner with a synthetic edge (its own PostgreSQL and NATS): 100,000 players
# join and answer; it exits non-zero unless every answer is acked and stored.
timeout 300 target/release/giantedge --players 100000


step "the pages' translations: every key in every language, no page text without a key"
node --test tests/i18n/

step "browser tests: a game (host, presenter, five phones) and the management pages in headless Chromium"
bash scripts/browser-test.sh
step "all passed"
