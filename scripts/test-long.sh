#!/usr/bin/env bash
# The long run, beside the test command (scripts/test.sh, which CI runs): what takes too long
# for every change. Run it before a release, or after touching the parser, the room's rules
# or the giant room.
#   - the fuzz targets, FUZZ_SECONDS each (default 300; scripts/fuzz.sh installs cargo-fuzz
#     and a C++ compiler when missing);
#   - the load tool at 10,000 players per mode, and 300,000 simulated players through one
#     giant room's owner (giantedge; needs PostgreSQL and nats-server, as the test command
#     installs them).
#   - a 30-minute soak: back-to-back 500-player games against one server, then its memory
#     once the finished rooms have gone, against a fresh server's (soak).
# Each prints its figures; the run fails if any of them fails (a crash, an answer not acked).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== fuzz targets, ${FUZZ_SECONDS:-300} s each"
FUZZ_SECONDS="${FUZZ_SECONDS:-300}" bash scripts/fuzz.sh

echo "== release build of the server and the load tools"
cargo build --release -p quizrace -p quizrace-tests
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== 10,000 bots per mode, two questions"
timeout 900 target/release/loadtest --players 10000 --questions 2 --mode classic
timeout 900 target/release/loadtest --players 10000 --questions 2 --mode race

echo "== 300,000 simulated players in one giant room"
timeout 1200 target/release/giantedge --players 300000

echo "== soak: back-to-back 500-player games for 30 minutes"
timeout 2700 target/release/soak --minutes 30 --players 500

echo "== the long run passed"
