#!/usr/bin/env bash
# Write throughput while `flagledger backup` runs back to back, against the same load without
# backups, alternating in one run (issue: >= 0.8x), on a log grown to EVENTS events; then what
# an incremental backup copies after 10k more events. Loopback only; stops by itself.
#   bench/load/backup_under_load.sh BUILD [EVENTS=1000000] [ROUNDS=3] [SECONDS=10]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "$1" && pwd)
events=${2:-1000000}
rounds=${3:-3}
seconds=${4:-10}
work=$(mktemp -d)
trap 'kill $(cat "$work/flagledger.pid") 2>/dev/null; rm -rf "$work"' EXIT
port=$(free_port)
start_flagledger "$build" "$work" "$port" >/dev/null
url=http://127.0.0.1:$port
sequence() { curl -s "$url/metrics" | awk '/^flagledger_log_sequence /{print $2}'; }
while [ "$(sequence)" -lt "$events" ]; do
  wrk -t2 -c64 -d10s -s "$here/flip_flags.lua" "$url" >/dev/null
done
echo "log: $(sequence) events, data directory $(du -sh "$work/data" | cut -f1)"
flagledger=$build/tools/flagledger
"$flagledger" backup --data-dir "$work/data" --to "$work/backups" >/dev/null  # the base backup
rate() { wrk -t2 -c64 -d${seconds}s -s "$here/flip_flags.lua" "$url" | awk '/Requests\/sec/{print $2}'; }
for round in $(seq "$rounds"); do
  without=$(rate)
  ( end=$((SECONDS + seconds)); n=0
    while [ $SECONDS -lt $end ]; do
      "$flagledger" backup --data-dir "$work/data" --to "$work/backups" >/dev/null; n=$((n + 1))
    done; echo "$n" > "$work/backups.count" ) &
  backups=$!
  with=$(rate)
  wait "$backups"  # (a bare wait would wait for the server too)
  echo "round $round: without $without writes/s, with backups $with writes/s ($(cat "$work/backups.count") backups), ratio $(python3 -c "print(f'{$with / $without:.3f}')")"
done
before=$(sequence)
"$flagledger" backup --data-dir "$work/data" --to "$work/backups" >/dev/null
while [ $(( $(sequence) - before )) -lt 10000 ]; do
  wrk -t2 -c16 -d1s -s "$here/flip_flags.lua" "$url" >/dev/null
done
start=$(date +%s.%N)
"$flagledger" backup --data-dir "$work/data" --to "$work/backups"
echo "incremental backup after $(( $(sequence) - before )) more events: $(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')") s"
