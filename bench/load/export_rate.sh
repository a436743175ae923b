#!/usr/bin/env bash
# How fast an export streams through HTTP at 1M events (bench/RESULTS.md, "Audit queries"):
# NDJSON and CSV of the whole log, and a filtered NDJSON export (the 0.1% by one actor), each
# read by curl into /dev/null, three rounds. Loopback only; stops by itself.
#   [CACHE_MB=512] bench/load/export_rate.sh [BUILD_DIR] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
events=${2:-1000000}
source bench/load/lib.sh
work=$(mktemp -d)
port=$(free_port)
cleanup() {
  [[ -f "$work/flagledger.pid" ]] && kill "$(cat "$work/flagledger.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/make_synthetic_data_dir" "$work/data" "$events" 1000 10
setsid bash -c 'echo $$ > "$1/flagledger.pid"; exec "$2/tools/flagledger" serve \
  --data-dir "$1/data" --listen "127.0.0.1:$3" --access-log off --cache-mb "${CACHE_MB:-512}" \
  2>"$1/flagledger.log"' export_rate "$work" "$build" "$port" &
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

url="http://127.0.0.1:$port/api/v1/events"
measure() {  # LABEL ACCEPT QUERY
  local label="$1" accept="$2" query="$3"
  for round in 1 2 3; do
    curl -s -H "Accept: $accept" "$url$query" -o /dev/null \
      -w "$label round $round: %{time_total} s, %{size_download} bytes\n"
  done
}
measure ndjson application/x-ndjson ""
measure csv text/csv ""
measure "ndjson actor=rare-bot" application/x-ndjson "?actor=rare-bot"
echo "events: $events"
