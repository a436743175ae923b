#!/usr/bin/env bash
# RSS of the server over WRITES durable PUTs that each carry a fresh Idempotency-Key (a stored
# answer per write), sampled every 10 s of load: the idempotency records' memory must level
# off. Loopback only; stops by itself.   bench/load/keyed_memory.sh BUILD [WRITES=1000000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
build=$(cd "$1" && pwd)
writes=${2:-1000000}
work=$(mktemp -d)
trap 'kill $(cat "$work/flagledger.pid") 2>/dev/null; rm -rf "$work"' EXIT
port=$(free_port)
start_flagledger "$build" "$work" "$port" >/dev/null
url=http://127.0.0.1:$port
metric() { curl -s "$url/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
start=$(metric flagledger_log_sequence)
mib() { python3 -c "print(round($(metric "$1") / 1048576))"; }
echo "keyed writes  RSS  block-cache  memtables  table-readers (MiB)  data dir"
while true; do
  done_writes=$(( $(metric flagledger_log_sequence) - start ))
  echo "$done_writes  $(mib process_resident_memory_bytes)  $(mib flagledger_rocksdb_block_cache_bytes)  $(mib flagledger_rocksdb_memtable_bytes)  $(mib flagledger_rocksdb_table_readers_bytes)  $(du -sh "$work/data" | cut -f1)"
  [ "$done_writes" -ge "$writes" ] || [ $SECONDS -gt 900 ] && break
  KEYED=1 wrk -t2 -c64 -d10s -s "$here/flip_flags.lua" "$url" >/dev/null
done
