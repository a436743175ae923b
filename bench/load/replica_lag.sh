#!/usr/bin/env bash
# Read replicas under load (bench/RESULTS.md, "Read replicas"), on loopback, stopping by itself:
#  1. the leader's durable write rate (wrk -t2 -c64, flip_flags.lua: every PUT an event) with
#     0, 1 and 4 replicas attached, and with 4 bare feed readers (curl into /dev/null: what the
#     leader pays for 4 replicas on other machines), in alternating rounds;
#  2. during those runs, the replicas' lag (replica_probe.py on the first replica);
#  3. the read rate (wrk -t2 -c64, reads.lua) of a replica against its leader's, alternating,
#     with no writes.
#   bench/load/replica_lag.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
seconds=${2:-5}
rounds=${3:-3}
source bench/load/lib.sh
work=$(mktemp -d)
cleanup() {
  for pid in "$work"/*.pid; do [[ -f "$pid" ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
leader_port=$(free_port)
serve_named "$work" leader "$leader_port" "$build"
until curl -sf "http://127.0.0.1:$leader_port/readyz" >/dev/null; do sleep 0.05; done
python3 bench/load/prepare_data.py "$leader_port" 1000 20

declare -a replica_ports
for i in 1 2 3 4; do replica_ports[$i]=$(free_port); done
running=0
attach() {  # N: exactly N replicas running, caught up
  local want="$1" i
  for ((i = running; i > want; i--)); do stop_named "$work" "replica-$i"; done
  for ((i = running + 1; i <= want; i++)); do
    serve_named "$work" "replica-$i" "${replica_ports[$i]}" "$build" \
      --follow "http://127.0.0.1:$leader_port"
  done
  running=$want
  for ((i = 1; i <= want; i++)); do
    until curl -sf "http://127.0.0.1:${replica_ports[$i]}/readyz" >/dev/null; do sleep 0.05; done
  done
}

echo "== leader write rate (64 durable writers) with 0, 1, 4 replicas, 4 feeds; lag on replica-1"
for round in $(seq "$rounds"); do
  for n in 0 1 4 feeds; do
    if [[ $n == feeds ]]; then
      attach 0
      for i in 1 2 3 4; do
        curl -sN -o /dev/null "http://127.0.0.1:$leader_port/api/v1/events/stream?batches=true&after=$(
          curl -s "http://127.0.0.1:$leader_port/api/v1/events/head" | sed 's/.*"sequence":\([0-9]*\).*/\1/')" &
        echo $! >"$work/feed-$i.curl"
      done
      writes=$(wrk -t2 -c64 -d"${seconds}s" -s bench/load/flip_flags.lua \
        "http://127.0.0.1:$leader_port" | rate)
      for i in 1 2 3 4; do kill "$(cat "$work/feed-$i.curl")"; done
      echo "round $round feeds 4 writes/s $writes"
      continue
    fi
    attach "$n"
    if ((n > 0)); then
      python3 bench/load/replica_probe.py "$leader_port" "${replica_ports[1]}" "$seconds" \
        >"$work/probe" &
      probe=$!
    fi
    writes=$(wrk -t2 -c64 -d"${seconds}s" -s bench/load/flip_flags.lua \
      "http://127.0.0.1:$leader_port" | rate)
    echo "round $round replicas $n writes/s $writes"
    if ((n > 0)); then
      wait "$probe"
      sed "s/^/round $round replicas $n /" "$work/probe"
      echo "round $round replicas $n replica-1 after the run: $(curl -s "http://127.0.0.1:${replica_ports[1]}/readyz")"
    fi
  done
done

echo "== read rate, replica-1 against the leader (no writes)"
attach 1
for round in $(seq "$rounds"); do
  leader_reads=$(wrk -t2 -c64 -d"${seconds}s" -s bench/load/reads.lua \
    "http://127.0.0.1:$leader_port" | rate)
  replica_reads=$(wrk -t2 -c64 -d"${seconds}s" -s bench/load/reads.lua \
    "http://127.0.0.1:${replica_ports[1]}" | rate)
  echo "round $round leader reads/s $leader_reads replica reads/s $replica_reads ratio" \
    "$(echo "scale=3; $replica_reads / $leader_reads" | bc)"
done
