#!/usr/bin/env bash
# How fast an empty read replica catches up with a leader of EVENTS events (bench/RESULTS.md,
# "Read replicas"): from the leader's checkpoint (the default) and by replaying the feed
# (--bootstrap feed), beside the leader's own start-up (rebuilding its projection from the
# same log). Loopback only; stops by itself.
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

"$build/bench/make_synthetic_data_dir" "$work/leader" "$events" 1000 10 >/dev/null
started=$(now)
serve_named "$work" leader "$leader_port" "$build"
until curl -sf "http://127.0.0.1:$leader_port/readyz" >/dev/null; do sleep 0.05; done
echo "leader start-up (projection rebuilt from ${events} events): $(echo "$(now) - $started" | bc) s"

for bootstrap in checkpoint feed; do
  replica_port=$(free_port)
  started=$(now)
  serve_named "$work" "replica-$bootstrap" "$replica_port" "$build" \
    --follow "http://127.0.0.1:$leader_port" --bootstrap "$bootstrap"
  until curl -s "http://127.0.0.1:$replica_port/readyz" 2>/dev/null |
    grep -q "\"applied\":$events,"; do
    sleep 0.05
  done
  elapsed=$(echo "$(now) - $started" | bc)
  echo "empty replica (--bootstrap $bootstrap) caught up with ${events} events in ${elapsed} s:" \
    "$(echo "$events / $elapsed" | bc) events/s (process start included)"
  grep -o '"msg":"bootstrapped[^}]*' "$work/replica-$bootstrap.log" || true
  stop_named "$work" "replica-$bootstrap"
done
