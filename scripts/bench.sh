#!/usr/bin/env bash
# The benchmark: builds the release app, starts it on a generated data set (SQLite), and prints
# requests per second and p50/p99 latency per page at a given concurrency (wrk), plus start-up
# time, memory and bundle sizes; then applications submitted and decided per second with a browse
# page's latency measured alongside, on SQLite and on PostgreSQL.
# Usage: scripts/bench.sh [CONNECTIONS=32] [SECONDS=10]; BENCH=applications for that part alone,
# BENCH_DATABASES="sqlite" (or "postgres") for one database of it. To compare two builds, copy
# each release binary aside and run with SERVER_BIN=<its path> and BENCH_BUILD=0 (no install or
# build), alternating them: this machine's speed wanders by a fifth between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${1:-32}
SECS=${2:-10}
THREADS=2
log() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
SERVER_BIN=${SERVER_BIN:-./target/release/server}
DATABASES=${BENCH_DATABASES:-sqlite postgres}

if [ "${BENCH_BUILD:-1}" != 0 ]; then
  bash scripts/install-toolchain.sh
  # PostgreSQL (started, with its role) for the application benchmark's second run.
  bash scripts/install-test-deps.sh
  bash scripts/assets.sh
  if ! command -v wrk >/dev/null 2>&1; then
    log "apt-get install wrk"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
  fi
  # The bundle by cargo-leptos; the server and the work-list generator by cargo, with one set of
  # flags, so the app is compiled once for both.
  cargo leptos build --release --split --precompress --frontend-only >&2
  bash scripts/gzip-site.sh target/site
  cargo build --release -p server --bin server --example bench_work >&2
fi

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export APP_SERVER__PORT=$port APP_SERVER__HOST=127.0.0.1 APP_SERVER__SITE_ROOT="$PWD/target/site" \
  APP_DATABASE__URL="sqlite://$dir/bench.db?mode=rwc" APP_MAIL__TRANSPORT=file APP_MAIL__FILE_DIR="$dir/mail" \
  APP_SECRET_KEY="bench-secret-bench-secret-bench-secret" RUST_LOG="warn,app::server::placement_index=info" \
  APP_PASSPORT__KEY_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)" \
  APP_AUTH__ACCOUNT_FAILURE_LIMIT=0 APP_AUTH__ADDRESS_FAILURE_LIMIT=0
# The sign-in throttle is off (0) here: the benchmark signs one account in flat out from one
# address, which is exactly what the throttle exists to refuse; it measures the hashing.
TEAMS_PER_TRUST=${TEAMS_PER_TRUST:-200}
PLACEMENTS=${PLACEMENTS:-10000}
log "generating data: 9 trusts x $((TEAMS_PER_TRUST + 3)) teams, $PLACEMENTS placements"
"$SERVER_BIN" seed --teams-per-trust "$TEAMS_PER_TRUST" --placements "$PLACEMENTS"

pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; wait $p 2>/dev/null || true; done; rm -rf "$dir"' EXIT
t0=$(date +%s%N)
"$SERVER_BIN" serve > "$dir/server.log" 2>&1 & pid=$!
pids+=("$pid")
until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.01; done
t1=$(date +%s%N)
sleep 1
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

# One line of figures from wrk's output. A measured request that answered other than 2xx
# (an error page, a redirect to sign-in, a throttle) would measure the wrong thing: the
# benchmark stops there, naming it.
row() { # label, wrk output
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2"); p50=$(awk '$1=="50%" {print $2}' <<<"$2")
  p99=$(awk '$1=="99%" {print $2}' <<<"$2"); errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$2")
  printf '%-28s %12s %10s %10s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
  if grep -q 'Non-2xx' <<<"$2"; then
    echo "bench: '$1' answered other than 2xx ($(grep 'Non-2xx' <<<"$2" | xargs)): the figures above measure errors" >&2
    exit 1
  fi
}
# A demo account's session cookie, signed in over HTTP like anyone else.
session_of() { # origin, email
  curl -fsS -o /dev/null -c - -H "Origin: $1" -H 'Accept: application/json' \
    --data "email=${2/@/%40}&password=placement-pilot-2026" "$1/api/auth/sign-in" | awk '$6=="pp_session" {print $7}'
}
export ORIGIN="http://127.0.0.1:$port"

# BENCH=applications runs the application part alone.
if [ "${BENCH:-all}" != applications ]; then
echo
echo "Placement Passport benchmark — $(nproc) cores, wrk -t$THREADS -c$CONNS -d${SECS}s, SQLite, release build"
printf '%-28s %12s %10s %10s\n' "page" "requests/s" "p50" "p99"
for path in /health / /trusts /trusts/R0A /pathways; do
  row "$path" "$(wrk -t$THREADS -c"$CONNS" -d"${SECS}s" --latency -H 'Accept: text/html' "http://127.0.0.1:$port$path")"
done

# Browsing placements, signed in as a staff member (a band 6 registered nurse at R0A), over
# the generated placements. The default list has "only what I am eligible for" on.
cookie=$(session_of "http://127.0.0.1:$port" nurse@r0a.nhs.example)
# A page that only asks the visitor to sign in would measure nothing: make sure it is the list.
if ! curl -fsS -H "Cookie: pp_session=$cookie" "http://127.0.0.1:$port/placements" | grep -Eq '>[0-9,]+ placements?<'; then
  echo "bench: the browse page did not list placements for the signed-in nurse" >&2
  exit 1
fi
echo
echo "Browsing $PLACEMENTS placements as a staff member (c$CONNS)"
printf '%-28s %12s %10s %10s\n' "page" "requests/s" "p50" "p99"
for spec in "unfiltered|/placements?filtered=1" "default (eligible only)|/placements" \
  "filtered|/placements?pathway=acute-oncology&kind=shadowing&trust=RBV&filtered=1&eligible=1" \
  "filtered, page 3|/placements?pathway=acute-oncology&filtered=1&page=3" \
  "search|/placements?q=neutropenic+sepsis&filtered=1&eligible=1" \
  "search, prefix|/placements?q=immuno&filtered=1"; do
  label=${spec%%|*}; path=${spec#*|}
  row "$label" "$(wrk -t$THREADS -c"$CONNS" -d"${SECS}s" --latency -H 'Accept: text/html' -H "Cookie: pp_session=$cookie" "http://127.0.0.1:$port$path")"
done
rss_load=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

# Sign-in: argon2id verifications run on the blocking pool, at most (cores - 1) at once, so a
# burst of sign-ins must not starve pages. First sign-ins alone, then a plain page measured
# while sign-ins run flat out beside it.
echo
echo "Sign-in (argon2id, $(nproc) cores)"
printf '%-28s %12s %10s %10s\n' "load" "requests/s" "p50" "p99"
row "sign-in alone (c$CONNS)" "$(wrk -t$THREADS -c"$CONNS" -d"${SECS}s" --latency -s scripts/bench-sign-in.lua "$ORIGIN/api/auth/sign-in")"
wrk -t1 -c"$CONNS" -d"$((SECS + 2))s" --latency -s scripts/bench-sign-in.lua "$ORIGIN/api/auth/sign-in" > "$dir/sign-in-beside.txt" &
wrk_pid=$!
sleep 1
row "/trusts beside sign-ins" "$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H 'Accept: text/html' "$ORIGIN/trusts")"
wait $wrk_pid
row "sign-in beside /trusts" "$(cat "$dir/sign-in-beside.txt")"
"$SERVER_BIN" hash-timing 20
echo
# The passport credential alone, on one core: issuances and full verifications per second, and the
# size of a full passport (credential crate, no web or database); then the app's own passport
# (the demo nurse's, with its real items), its issuer's keys and its status list token, fetched
# from the running app as a verifier fetches them.
mkdir -p "$dir/cred"
curl -fsS -H "Cookie: pp_session=$cookie" "$ORIGIN/passport/download" > "$dir/cred/passport.sd-jwt"
curl -fsS "$ORIGIN/.well-known/jwt-vc-issuer/trusts/R0A" > "$dir/cred/jwks.json"
# The credential names its status list by URI; its path is fetched from this app.
status_path=$(python3 - "$dir/cred/passport.sd-jwt" <<'PY'
import base64, json, sys, urllib.parse
jwt = open(sys.argv[1]).read().split("~")[0].split(".")[1]
uri = json.loads(base64.urlsafe_b64decode(jwt + "=" * (-len(jwt) % 4)))["status"]["status_list"]["uri"]
print(urllib.parse.urlsplit(uri).path)
PY
)
curl -fsS -H 'Accept: application/statuslist+jwt' "$ORIGIN$status_path" > "$dir/cred/status.jwt"
cargo run -q --release -p credential --example bench -- 2 --from "$dir/cred"
echo
echo "start to first response:   $(( (t1 - t0) / 1000000 )) ms"
index_log=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/server.log" | grep -m1 'placement index rebuilt' || true)
echo "placement index build:     $(grep -o 'ms=[0-9]*' <<<"$index_log" | cut -d= -f2) ms for $(grep -o 'open=[0-9]*' <<<"$index_log" | cut -d= -f2) open placements (at start, and after an edit)"
echo "server memory (RSS):       idle $((rss_idle / 1024)) MiB, after load $((rss_load / 1024)) MiB"
echo "release binary:            $(du -h "$SERVER_BIN" | cut -f1)"
# The bundle's main files under their hashed names (target/site/hash.txt), as the server sends
# them: raw, and the gzip and brotli copies the build made.
for kind in wasm js css; do
  hash=$(sed -n "s/^$kind: *//p" target/site/hash.txt 2>/dev/null)
  f=target/site/pkg/pp${hash:+.$hash}.$kind
  [ -f "$f" ] && printf '%-27s%s bytes raw, %s gzip, %s brotli\n' "pp.$kind:" "$(stat -c %s "$f")" \
    "$(stat -c %s "$f.gz" 2>/dev/null || echo -)" "$(stat -c %s "$f.br" 2>/dev/null || echo -)"
done
echo
# What each page loads (the base and its islands' lazy chunks), against issue 19's budget.
bash scripts/check-bundle.sh target/site || true
echo
# Cold loads in a real browser (Chromium, CPU 4x slower, slow 4G): bytes, first paint, and
# when the page's forms are interactive. The demo data (HR's record) is on this database too.
(cd end2end && node bench/pageload.mjs "$ORIGIN" 3)
fi

# Applications: each demo applicant applies for every placement they may (submissions), the line
# managers release their teams' applicants (releases), and the hosts' leads accept while places
# last and decline the rest (accepts): each a list of real requests, made from the database by
# the bench_work example and sent once each at c$CONNS (scripts/bench-work.lua), with the nurse's
# placement list (the default browse page) fetched meanwhile by a paced probe (scripts/
# bench-probe.lua: 4 connections, about 100 pages a second) that measures its latency without
# being a second flat-out load. Every
# decision is a transaction with its transition, audit entry, notifications and outbox mail.
app_bench() { # label, origin, database url
  local label=$1 origin=$2 url=$3 email ods phase n out browse_cookie bpid wpid t_start t_end rate done_files
  : > "$dir/cookies"
  for email in nurse@r0a.nhs.example nurse@rm3.nhs.example radiographer@rbv.nhs.example \
    manager@r0a.nhs.example manager@rm3.nhs.example manager@rbv.nhs.example; do
    printf '%s\t%s\n' "$email" "$(session_of "$origin" "$email")" >> "$dir/cookies"
  done
  for ods in r0a rm3 rwj rmp rrf rmc rbv rjn rbt; do
    printf 'lead@%s.nhs.example\t%s\n' "$ods" "$(session_of "$origin" "lead@$ods.nhs.example")" >> "$dir/cookies"
  done
  browse_cookie=$(session_of "$origin" nurse@r0a.nhs.example)
  echo
  echo "Applications on $label: each request once at c$CONNS; the placement list meanwhile (c4, ~100/s)"
  printf '%-28s %12s %10s %10s\n' "requests" "requests/s" "p50" "p99"
  for phase in submissions releases accepts; do
    ./target/release/examples/bench_work "$url" "$phase" > "$dir/$phase.work"
    n=$(wc -l < "$dir/$phase.work")
    wrk -t1 -c4 -d600s --latency -s scripts/bench-probe.lua -H 'Accept: text/html' -H "Cookie: pp_session=$browse_cookie" \
      "$origin/placements" > "$dir/browse-$phase.txt" &
    bpid=$!
    sleep 1
    # wrk runs until its duration or a SIGINT; every thread writes a file once its list is done,
    # and the rate is the list's length over the time until then.
    rm -rf "$dir/done"; mkdir "$dir/done"
    t_start=$(date +%s%N)
    ORIGIN=$origin wrk -t$THREADS -c"$CONNS" -d300s --latency -s scripts/bench-work.lua "$origin" \
      -- "$dir/$phase.work" "$dir/cookies" "$THREADS" "$dir/done" > "$dir/$phase.out" &
    wpid=$!
    # Counted with a glob, not `ls | wc`: forking twice every 20 ms took a tenth of a core from
    # the server being measured.
    shopt -s nullglob
    while done_files=("$dir/done"/*) && [ "${#done_files[@]}" -lt "$THREADS" ] && kill -0 $wpid 2>/dev/null; do
      sleep 0.02
    done
    shopt -u nullglob
    t_end=$(date +%s%N)
    kill -INT $wpid 2>/dev/null || true
    wait $wpid || true
    rate=$(awk -v n="$n" -v ns=$((t_end - t_start)) 'BEGIN { printf "%.2f", n / (ns / 1e9) }')
    out=$(sed "s#^Requests/sec:.*#Requests/sec: $rate#" "$dir/$phase.out")
    kill -INT $bpid
    wait $bpid || true
    row "$phase ($n)" "$out"
    row "  /placements meanwhile" "$(cat "$dir/browse-$phase.txt")"
  done
}
# The server's CPU time over the whole run so far, user and system (the kernel's clock ticks).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f s", ($14 + $15) / hz }' "/proc/$1/stat"; }
if [[ " $DATABASES " == *" sqlite "* ]]; then
  app_bench "SQLite" "$ORIGIN" "sqlite://$dir/bench.db"
  echo "server CPU time, whole run:  $(cpu $pid)"
fi
kill $pid; wait $pid 2>/dev/null || true
[[ " $DATABASES " == *" postgres "* ]] || exit 0

# The same on PostgreSQL: a fresh database seeded alike, a second server on it.
PG=${APP_BENCH_POSTGRES_URL:-postgres://pp_test:pp_test@127.0.0.1:5432}
psql -qX "$PG/postgres" -c 'DROP DATABASE IF EXISTS pp_bench' -c 'CREATE DATABASE pp_bench' >/dev/null
export APP_DATABASE__URL="$PG/pp_bench"
"$SERVER_BIN" seed --teams-per-trust "$TEAMS_PER_TRUST" --placements "$PLACEMENTS" >/dev/null
"$SERVER_BIN" serve > "$dir/server-pg.log" 2>&1 & pid=$!
pids+=("$pid")
until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.05; done
app_bench "PostgreSQL" "$ORIGIN" "$PG/pp_bench"
echo "server CPU time, whole run:  $(cpu $pid)"
