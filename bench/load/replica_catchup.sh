#!/usr/bin/env bash
# How fast an empty read replica catches up with a leader of EVENTS events (bench/RESULTS.md,
# "Read replicas"), beside the leader's own start-up (rebuilding its projection from the same
# log). Loopback only; stops by itself.
#   bench/load/replica_catchup.sh [BUILD_DIR] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
events=${2:-1000000}
source bench/load/lib.sh
work=$(mktemp -d)
leader_port=$(free_port)
cleanup() {
  for pid in "$work"/*.pid; do [[ -f "$pid" ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
serve() {  # NAME PORT ARGS...
  local name="$1" port="$2"
  shift 2
  setsid bash -c 'echo $$ > "$1/$2.pid"; dir="$1/$2" port="$3"; shift 3; exec "$@" \
    --data-dir "$dir" --listen "127.0.0.1:$port" --access-log off 2>"$dir.log"' \
    serve "$work" "$name" "$port" "$build/tools/flagledger" serve "$@" &
}

"$build/bench/make_synthetic_data_dir" "$work/leader" "$events" 1000 10 >/dev/null
started=$(now)
serve leader "$leader_port"
until curl -sf "http://127.0.0.1:$leader_port/readyz" >/dev/null; do sleep 0.05; done
echo "leader start-up (projection rebuilt from ${events} events): $(echo "$(now) - $started" | bc) s"

replica_port=$(free_port)
started=$(now)
serve replica "$replica_port" --follow "http://127.0.0.1:$leader_port"
until curl -s "http://127.0.0.1:$replica_port/readyz" 2>/dev/null |
  grep -q "\"applied\":$events,"; do
  sleep 0.05
done
elapsed=$(echo "$(now) - $started" | bc)
echo "empty replica caught up with ${events} events in ${elapsed} s:" \
  "$(echo "$events / $elapsed" | bc) events/s (process start included)"
