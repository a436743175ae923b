#!/usr/bin/env bash
# A cluster on etcd under load (bench/RESULTS.md, "A cluster on etcd"), on loopback, stopping
# by itself: three etcd members (Debian's etcd-server) and three flagledger nodes, beside a
# single node of the same build.
#  1. durable creates (wrk, create_flags.lua: every POST an event) at 1 and 64 clients, the
#     cluster's writer against the single node in alternating rounds; p99 from wrk --latency;
#  2. during the 64-client cluster runs, a follower's lag (replica_probe.py: a write on the
#     writer, then a read of it on the follower with Flagledger-Min-Sequence);
#  3. failover: kill -9 of the writer, and SIGTERM, each FAILOVERS times: the time from the
#     signal to the first write acknowledged by the new writer (cluster_failover.py).
#   bench/load/cluster.sh [BUILD_DIR] [SECONDS] [ROUNDS] [FAILOVERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
seconds=${2:-5}
rounds=${3:-3}
failovers=${4:-5}
source bench/load/lib.sh
work=$(mktemp -d)
etcd_pids=()
cleanup() {
  for pid in "$work"/*.pid; do [[ -f "$pid" ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
  kill "${etcd_pids[@]}" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p'; }

# etcd: three members on free ports.
peers="" endpoints=""
declare -a client_ports peer_ports
for i in 1 2 3; do
  client_ports[$i]=$(free_port)
  peer_ports[$i]=$(free_port)
  peers+="${peers:+,}e$i=http://127.0.0.1:${peer_ports[$i]}"
  endpoints+="${endpoints:+,}http://127.0.0.1:${client_ports[$i]}"
done
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$work/etcd$i" \
    --listen-client-urls "http://127.0.0.1:${client_ports[$i]}" \
    --advertise-client-urls "http://127.0.0.1:${client_ports[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-cluster "$peers" --initial-cluster-state new >"$work/etcd$i.log" 2>&1 &
  etcd_pids+=($!)
done

declare -a node_ports
start_node() {  # I: node I of the cluster, until it is ready
  serve_named "$work" "node$1" "${node_ports[$1]}" "$build" \
    --cluster "etcd=$endpoints" --node-id "node$1"
  until curl -sf "http://127.0.0.1:${node_ports[$1]}/readyz" >/dev/null; do sleep 0.05; done
}
for i in 1 2 3; do node_ports[$i]=$(free_port); start_node "$i"; done
single_port=$(free_port)
serve_named "$work" single "$single_port" "$build"
until curl -sf "http://127.0.0.1:$single_port/readyz" >/dev/null; do sleep 0.05; done

writer_port() {
  local i
  for _ in $(seq 200); do
    for i in 1 2 3; do
      if curl -sf "http://127.0.0.1:${node_ports[$i]}/readyz" 2>/dev/null | grep -q '"role":"writer"'; then
        echo "${node_ports[$i]}"
        return
      fi
    done
    sleep 0.05
  done
  echo "no writer" >&2
  exit 1
}
follower_port() {
  local writer="$1" i
  for i in 1 2 3; do [[ ${node_ports[$i]} != "$writer" ]] && { echo "${node_ports[$i]}"; return; }; done
}

echo "== durable creates: the cluster's writer against a single node (wrk, create_flags.lua)"
for round in $(seq "$rounds"); do
  for clients in 1 64; do
    threads=$((clients > 1 ? 2 : 1))
    single=$(wrk -t"$threads" -c"$clients" -d"${seconds}s" --latency -s bench/load/create_flags.lua \
      "http://127.0.0.1:$single_port")
    writer=$(writer_port)
    if ((clients == 64)); then
      python3 bench/load/replica_probe.py "$writer" "$(follower_port "$writer")" "$seconds" \
        >"$work/probe" &
      probe=$!
    fi
    cluster=$(wrk -t"$threads" -c"$clients" -d"${seconds}s" --latency -s bench/load/create_flags.lua \
      "http://127.0.0.1:$writer")
    echo "round $round clients $clients single writes/s $(rate <<<"$single") p99 $(p99 <<<"$single")" \
      "cluster writes/s $(rate <<<"$cluster") p99 $(p99 <<<"$cluster")" \
      "ratio $(echo "scale=3; $(rate <<<"$cluster") / $(rate <<<"$single")" | bc)"
    if ((clients == 64)); then
      wait "$probe"
      sed "s/^/round $round follower /" "$work/probe"
    fi
  done
done

echo "== failover: from the signal to the first write the new writer acknowledges"
for signal in KILL TERM; do
  for round in $(seq "$failovers"); do
    args=()
    for i in 1 2 3; do args+=("${node_ports[$i]}:$work/node$i.pid"); done
    python3 bench/load/cluster_failover.py "$signal" "${args[@]}"
    for i in 1 2 3; do
      if ! kill -0 "$(cat "$work/node$i.pid" 2>/dev/null)" 2>/dev/null; then start_node "$i"; fi
    done
    sleep 1
  done
done
