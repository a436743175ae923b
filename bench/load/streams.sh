#!/usr/bin/env bash
# Do open change streams slow the read path? Single-flag GETs with wrk (-t2 -c64), alternating
# rounds without and with STREAMS open SSE streams (a Python reader) while a writer appends
# WRITES_PER_S events/s to the streamed organization. Prints requests/s per round, medians
# and the ratio with/without.
#
#   bench/load/streams.sh        (ROUNDS=5 DURATION=5 STREAMS=500 WRITES_PER_S=20)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-5}"; DURATION="${DURATION:-5}"; STREAMS="${STREAMS:-500}"
WRITES_PER_S="${WRITES_PER_S:-20}"
BUILD="${BUILD:-$repo/build/release}"
work="$(mktemp -d)"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
"$repo/tools/dev" build >/dev/null
source "$repo/bench/load/lib.sh"
port="$(free_port)"
start_flagledger "$BUILD" "$work" "$port"
url="http://127.0.0.1:$port/api/v1/organizations/org-0001/feature-flags/flag-000"

rate() { wrk -t2 -c64 -d"${DURATION}s" "$url" | awk '/Requests\/sec/ {print $2}'; }
interval="$(awk "BEGIN {print 1/$WRITES_PER_S}")"
writer() {  # toggles one flag of org-0000 WRITES_PER_S times a second
  local i=0
  while true; do
    curl -s -o /dev/null -XPUT -H 'Content-Type: application/json' \
      -d "{\"enabled\":$([ $((i % 2)) -eq 0 ] && echo true || echo false)}" \
      "http://127.0.0.1:$port/api/v1/organizations/org-0000/feature-flags/flag-000"
    i=$((i + 1)); sleep "$interval"
  done
}

without=(); with=()
for round in $(seq "$ROUNDS"); do
  writer & echo $! > "$work/writer.pid"
  without+=("$(rate)")
  python3 "$repo/bench/load/streams.py" "$port" "$STREAMS" org-0000 > "$work/streams.out" &
  echo $! > "$work/streams.pid"
  until grep -q ready "$work/streams.out"; do sleep 0.1; done
  with+=("$(rate)")
  kill "$(cat "$work/streams.pid")"; wait "$(cat "$work/streams.pid")" 2>/dev/null || true
  kill "$(cat "$work/writer.pid")"; wait "$(cat "$work/writer.pid")" 2>/dev/null || true
  rm -f "$work/streams.pid" "$work/writer.pid"
  echo "round $round: without streams ${without[-1]} req/s, with $STREAMS streams ${with[-1]} req/s ($(grep frames "$work/streams.out"))"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m_without="$(median "${without[@]}")"; m_with="$(median "${with[@]}")"
echo "median without streams: $m_without req/s; with $STREAMS streams: $m_with req/s; ratio $(python3 -c "print(round($m_with/$m_without, 3))")"
