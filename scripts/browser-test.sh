#!/usr/bin/env bash
# The browser tests in headless Chromium: a host, a presenter screen and five phone-sized players play a game
# (tests/browser/game.test.mjs), and the management pages are used end to end
# (tests/browser/pages.test.mjs), and the longest texts the quiz validator allows must fit phone,
# laptop and full-HD screens (tests/browser/layout.test.mjs); a teacher's and a student's ways
# back from a mistake (flow.test.mjs), following a cluster's `moved` (moved.test.mjs), the
# colour-blind-safe answer colours (palette.test.mjs) and race mode explaining itself, with the
# get-ready countdown and the explanation (race.test.mjs), a slider, an order question,
# a slide and a word cloud on every screen, and the editor's forms for the last two
# (kinds.test.mjs), a game with phones in Arabic (right to left, mirrored) and German and
# the language picker remembered (i18n.test.mjs), the game's sounds with a stand-in
# AudioContext (sound.test.mjs), and a game's end: the podium rising on the presenter, each
# phone's summary, and Play again taking everyone to a new room (ending.test.mjs), and a
# team game from the host's create screen to a team podium (teams.test.mjs), a quiz with an
# image and an audio clip from the editor's upload to the presenter and a phone
# (media.test.mjs), and an assignment made on /assignments, played on a phone and watched
# live (homework.test.mjs), phones that show shapes only and a podium with a tie for first
# (shapes.test.mjs), and one game of every kind with media, shuffled answers and Play
# again at phone and laptop sizes (tour.test.mjs).
# Screenshots of every screen land in docs/screenshots/.
#
# Needs Rust, Node.js 20 or later with npm, and Debian's chromium package. What is missing of
# the last two pieces is installed: chromium with apt-get (as root, or through sudo), and
# playwright-core with `npm ci` from the committed lock file. No browser is ever downloaded
# by npm or playwright.
#
# Environment: BROWSER_TEST_TIMEOUT (seconds for the node run, default 720: the suites
# run one after the other, each bounded by its own timeout), and the
# QUIZRACE_* variables that tests/browser/harness.mjs reads.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${QUIZRACE_CHROMIUM:-/usr/bin/chromium}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: node and npm are needed (Node.js 20 or later)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20 or later is needed, found $(node --version)" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "== installing chromium (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then
    as_root() { "$@"; }
  elif command -v sudo >/dev/null; then
    as_root() { sudo -n "$@"; }
  else
    echo "error: $CHROMIUM is missing; install Debian's chromium package as root" >&2
    exit 1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  # With recommends: they bring fonts-liberation, without which pages render with no fonts.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  if [ ! -x "$CHROMIUM" ]; then
    echo "error: apt-get installed chromium, but $CHROMIUM is still missing" >&2
    exit 1
  fi
fi
echo "== $("$CHROMIUM" --version 2>/dev/null)"

# npm ci when playwright-core is missing or is not the version the lock file pins.
installed=$(cd tests/browser && node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')
locked=$(cd tests/browser && node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')
if [ "$installed" != "$locked" ]; then
  echo "== npm ci (tests/browser, playwright-core $locked)"
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# The same packages as scripts/test.sh's release build, so cargo resolves the same features
# and, inside that script, finds the server built already.
echo "== cargo build --release --bin quizrace"
cargo build --release -p quizrace -p quizrace-tests --bin quizrace

echo "== node --test tests/browser/"
# The files are named here, not the directory: Node 21 and later take the arguments as glob
# patterns and would try to run a bare directory as a module.
start=$(date +%s)
timeout --kill-after=10 "${BROWSER_TEST_TIMEOUT:-720}" node --test tests/browser/*.test.mjs
echo "== browser test passed in $(($(date +%s) - start)) s; screenshots in docs/screenshots/"
