#!/usr/bin/env bash
# Monitoring pages under load at national scale (issue 4's benchmark; not a timed test).
#
#   bench/monitor-load.sh            # build release, generate, serve, load, print the table
#
# 1. builds the release binary (SKIP_BUILD=1 to use an existing one; NENGJI_BIN to choose it);
# 2. `nengji gen` builds 2,700 zones × 60 indicators × 120 months (19.4 million approved values)
#    in SQLite and in a throw-away PostgreSQL cluster (scripts/pg-start); REUSE=1 keeps an
#    existing $WORK/gen.db and only regenerates PostgreSQL (PG=0 skips PostgreSQL);
# 3. per engine: creates an admin, starts `nengji serve` on loopback, logs in through the form,
#    requests each page once (cold: the first request after a data change builds the shared
#    panel), saves the HTML and serves the saved copies with nginx on another loopback port;
# 4. loads each page with wrk, 32 connections (2 threads) for $DURATION, then the nginx copy
#    the same way, and prints p50/p99 latency, requests/s and the ratios against nginx.
# Needs wrk and nginx (apt-get install -y wrk nginx) and, for PostgreSQL, scripts/install-deps.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ZONES=${ZONES:-2700} INDICATORS=${INDICATORS:-60} MONTHS=${MONTHS:-120} LAST=${LAST:-2025-12}
DURATION=${DURATION:-20s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/nengji-monitor-bench}
PORT=${PORT:-18431} NGINX_PORT=${NGINX_PORT:-18432}
ZONE=${ZONE:-gen_z1350} INDICATOR=${INDICATOR:-revenue}
PASSWORD='bench-Passw0rd-能级'
mkdir -p "$WORK"

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx curl)" >&2; exit 1; }
done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p nengji >&2
fi
BIN=${NENGJI_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/nengji}
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

PIDS=() PG_DATA=
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$PG_DATA" ]; then "$ROOT/scripts/pg-stop" "$PG_DATA" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

gen() { # url label
  local t0=$SECONDS
  "$BIN" --log warn --database-url "$1" gen --zones "$ZONES" --indicators "$INDICATORS" --months "$MONTHS" --last "$LAST"
  echo "gen $2: $((SECONDS - t0)) s" | tee -a "$WORK/gen.log" >&2
}

SQLITE_URL=$WORK/gen.db
if [ "${REUSE:-0}" = 1 ] && [ -f "$SQLITE_URL" ]; then
  echo "reusing $SQLITE_URL" >&2
else
  rm -f "$SQLITE_URL" "$SQLITE_URL-wal" "$SQLITE_URL-shm"
  gen "$SQLITE_URL" sqlite
fi
ENGINES=("sqlite $SQLITE_URL")
if [ "${PG:-1}" = 1 ]; then
  eval "$("$ROOT/scripts/pg-start")"
  PG_DATA=$NENGJI_PG_DATA
  PG_URL=${NENGJI_TEST_PG_URL%/*}/nengji_bench
  psql "${NENGJI_TEST_PG_URL}" -qc "CREATE DATABASE nengji_bench" >/dev/null
  gen "$PG_URL" postgresql
  ENGINES+=("postgresql $PG_URL")
fi
echo "database sizes: sqlite $(du -sh "$SQLITE_URL" | cut -f1)" >&2

# wrk → "p50_ms p99_ms req_per_s non2xx"
load() { # url [cookie]
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $2" "$1")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  fi
  echo "$out" >>"$WORK/wrk.log"
  local p50 p99 rps bad
  ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'; }
  p50=$(ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
  bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  echo "$p50 $p99 $rps ${bad:-0}"
}

mkdir -p "$WORK/www" "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type text/html;
  client_body_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
PIDS+=($!)

ROWS=()
for engine in "${ENGINES[@]}"; do
  read -r name url <<<"$engine"
  "$BIN" --log warn --database-url "$url" user add bench --role admin --name 基准测试 --password "$PASSWORD" >/dev/null 2>&1 || true
  "$BIN" --log warn --database-url "$url" serve --listen "127.0.0.1:$PORT" &
  server=$!
  PIDS+=($server)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  jar=$WORK/cookies.$name
  rm -f "$jar"
  csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode username=bench \
    --data-urlencode "password=$PASSWORD" --data-urlencode "csrf=$csrf" --data-urlencode next=/ "http://127.0.0.1:$PORT/login")
  [ "$code" = 303 ] || { echo "login failed on $name ($code)" >&2; exit 1; }
  cookie=$(awk -F'\t' 'NF == 7 { sub(/^#HttpOnly_/, "", $1); printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$jar")
  for page in "compare /compare?indicator=$INDICATOR&period=$LAST" "zone /zones/$ZONE?period=$LAST"; do
    read -r label path <<<"$page"
    cold=$(curl -fs -o "$WORK/www/$label.$name.html" -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path")
    size=$(stat -c %s "$WORK/www/$label.$name.html")
    read -r a50 a99 arps abad <<<"$(load "http://127.0.0.1:$PORT$path" "$cookie")"
    read -r n50 n99 nrps _ <<<"$(load "http://127.0.0.1:$NGINX_PORT/$label.$name.html")"
    ROWS+=("$(printf '%-10s %-8s %7s %9.0f %8s %8s %8s %8s %8s %8s %9s %8s' "$name" "$label" "$((size / 1024))KiB" \
      "$(echo "$cold * 1000" | bc)" "$a50" "$a99" "$arps" "$n50" "$n99" "$nrps" \
      "$(echo "scale=1; $nrps / $arps" | bc)x" "$(echo "scale=1; $a99 / $n99" | bc)x")")
    [ "$abad" = 0 ] || echo "WARNING: $abad non-2xx responses on $name $label" >&2
  done
  kill "$server"; wait "$server" 2>/dev/null || true
done

echo
echo "$(date -u '+%F %T') UTC · $(nproc) CPUs · $(awk '/model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo | xargs) · ${ZONES}×${INDICATORS}×${MONTHS} · wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
printf '%-10s %-8s %7s %9s %8s %8s %8s %8s %8s %8s %9s %8s\n' engine page size cold_ms p50_ms p99_ms req/s ngx_p50 ngx_p99 ngx_rps "rps_ngx/x" "p99_x/ngx"
for r in "${ROWS[@]}"; do echo "$r"; done
