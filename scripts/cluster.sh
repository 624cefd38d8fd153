#!/usr/bin/env bash
# A quizrace cluster on this machine, to try it: a throw-away PostgreSQL, three quizrace nodes
# and HAProxy in front of them (deploy/haproxy.cfg's rules), all on 127.0.0.1. Prints the one
# address to open and the admin password, and stops everything (and removes its temporary
# directory, database included) on Ctrl-C.
#
# Needs Rust, PostgreSQL and HAProxy (Debian: apt-get install postgresql haproxy). It installs
# nothing itself; it says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8080
NODES=3
PASSWORD=${QUIZ_ADMIN_PASSWORD:-}

usage() {
  cat <<EOF
usage: scripts/cluster.sh [--port PORT] [--nodes N] [--admin-password PASSWORD]

Starts PostgreSQL, N quizrace nodes (default 3) on 127.0.0.1:PORT+1 … PORT+N and HAProxy on
127.0.0.1:PORT (default 8080), then waits. QUIZRACE_BIN runs that server binary instead of
building target/release/quizrace. Open http://127.0.0.1:PORT/ and log in as admin
with the printed password (or the one given; QUIZ_ADMIN_PASSWORD works too). Ctrl-C stops
everything and removes the temporary directory, the database with it.

Try a node loss: start a game through the address above, find the room's node in the output
of  psql "\$DB" -c "select pin, owner_node from games where status = 'running'"  (the DB line
is printed) and kill -9 that node's pid (printed too): the game carries on on another node.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --nodes) NODES=$2; shift 2 ;;
    --admin-password) PASSWORD=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# ---- what is needed ----
missing=()
command -v cargo >/dev/null || missing+=("Rust (https://rustup.rs)")
PG_BIN=""
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
else
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then PG_BIN=$newest; fi
fi
[ -n "$PG_BIN" ] || missing+=("PostgreSQL (apt-get install postgresql)")
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || missing+=("HAProxy (apt-get install haproxy)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing: ${missing[*]}" >&2
  echo "On Debian or Ubuntu: sudo apt-get install postgresql haproxy" >&2
  exit 1
fi

as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  as_postgres=(runuser -u postgres --)
fi

# HAProxy needs two descriptors per connection (a player's and the node's).
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then hard=1048576; fi
MAXCONN=$(( (hard - 200) / 2 ))
if [ "$MAXCONN" -gt 20000 ]; then MAXCONN=20000; fi

if [ -z "$PASSWORD" ]; then
  PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
fi

if [ -n "${QUIZRACE_BIN:-}" ]; then
  BIN=$QUIZRACE_BIN
else
  echo "== cargo build --release -p quizrace"
  cargo build --release -p quizrace
  BIN=$PWD/target/release/quizrace
fi

# ---- clean-up, whatever happens from here ----
DIR=$(mktemp -d -t quizrace-cluster.XXXXXX)
PIDS=()
declare -A NAME
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "== stopping"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$DIR/pg/data/postmaster.pid" ]; then
    (cd "$DIR/pg" && "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$DIR"
  echo "== stopped; $DIR removed"
  exit 0
}
trap cleanup INT TERM EXIT

# ---- PostgreSQL ----
PG_PORT=$((PORT + 100))
mkdir -p "$DIR/pg"
if [ "$(id -u)" -eq 0 ]; then
  # The postgres user must get through the (private) temporary directory to its own.
  chmod 711 "$DIR"
  chown -R postgres: "$DIR/pg"
fi
echo "== PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
(cd "$DIR/pg" && "${as_postgres[@]}" "$PG_BIN/initdb" -D "$DIR/pg/data" -A trust -U quizrace -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1) || {
  cat "$DIR/initdb.log" >&2; exit 1; }
(cd "$DIR/pg" && "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/postgres.log" -w \
  -o "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1" start >/dev/null) || {
  cat "$DIR/pg/postgres.log" >&2; exit 1; }
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U quizrace quizrace
DB="postgres://quizrace@127.0.0.1:$PG_PORT/quizrace"

# ---- nodes ----
healthy() {
  if command -v curl >/dev/null; then
    curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && head -1 <&3 | grep -q ' 200') 2>/dev/null
  fi
}
servers=""
for i in $(seq 1 "$NODES"); do
  port=$((PORT + i))
  echo "== node$i on 127.0.0.1:$port (log: $DIR/node$i.log)"
  QUIZ_ADMIN_PASSWORD=$PASSWORD "$BIN" --db "$DB" --bind "127.0.0.1:$port" \
    --node-url "http://127.0.0.1:$port" --node-name "node$i" --trusted-proxy 127.0.0.1 --public-url "http://127.0.0.1:$PORT" \
    >"$DIR/node$i.log" 2>&1 &
  PIDS+=($!)
  NAME[$!]=node$i
  echo "   pid $!"
  servers+="    server node$i 127.0.0.1:$port check"$'\n'
  # One after the other: the first one creates the schema.
  for _ in $(seq 1 100); do
    if healthy "$port"; then break; fi
    if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
      echo "error: node$i exited:" >&2; tail -20 "$DIR/node$i.log" >&2; exit 1
    fi
    sleep 0.2
  done
done

# ---- HAProxy: deploy/haproxy.cfg with our own global, bind and servers ----
awk -v bind="    bind 127.0.0.1:$PORT" -v servers="$servers" -v maxconn="$MAXCONN" '
  BEGIN { print "global\n    maxconn " maxconn "\n" }
  /^[^ \t#]/ {
    if (backend) { printf "%s", servers }
    global = ($1 == "global"); backend = ($1 == "backend")
  }
  global { next }
  $1 == "log" || $1 == "server" { next }
  $1 == "bind" { print bind; next }
  { print }
  END { if (backend) printf "%s", servers }
' deploy/haproxy.cfg >"$DIR/haproxy.cfg"
"$HAPROXY" -c -q -f "$DIR/haproxy.cfg"
"$HAPROXY" -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
PIDS+=($!)
NAME[$!]=haproxy

cat <<EOF

quizrace cluster: $NODES nodes, PostgreSQL and HAProxy on 127.0.0.1
  open:            http://127.0.0.1:$PORT/
  admin password:  $PASSWORD   (user: admin)
  database:        DB=$DB
  logs:            $DIR
Ctrl-C stops everything.
EOF

# Wait until Ctrl-C; say so when a process ends (a node killed to try a failover).
while true; do
  alive=()
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      alive+=("$pid")
    else
      echo "note: ${NAME[$pid]} (pid $pid) has ended; see $DIR/${NAME[$pid]}.log (it stays down: Ctrl-C and start again)"
    fi
  done
  PIDS=("${alive[@]}")
  sleep 1
done
