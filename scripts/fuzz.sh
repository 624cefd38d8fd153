#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (FUZZ_SECONDS, default 30). cargo-fuzz wants a
# nightly compiler; RUSTC_BOOTSTRAP=1 lets the stable one build the instrumented targets.
# Installs cargo-fuzz (locked) when it is missing. Crashes are saved in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-30}"
export RUSTC_BOOTSTRAP=1

# libfuzzer-sys compiles libFuzzer's C++ sources.
if ! command -v c++ >/dev/null; then
    echo "== installing a C++ compiler (apt-get install g++)"
    if [ "$(id -u)" -eq 0 ]; then
        as_root() { "$@"; }
    else
        as_root() { sudo -n "$@"; }
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y g++
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# No AddressSanitizer: the workspace forbids unsafe code, the targets look for panics and
# broken room rules, and the plain build is much quicker.
echo "== fuzz: building the targets"
cargo fuzz build -O --sanitizer none

for target in parse_client room_commands; do
    echo "== fuzz: $target for ${seconds} s"
    mkdir -p "corpus/$target"
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    cargo fuzz run -O --sanitizer none "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1
done
