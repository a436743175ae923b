#!/usr/bin/env bash
# Same-minute A/B of two flagledger builds: the comparison to trust on this noisy machine,
# where full runs against nginx move by ±15% from one run to the next.
#
#   bench/load/compare_builds.sh BUILD_A BUILD_B [get|list|mix|write]
#
# BUILD_A and BUILD_B are directories holding tools/flagledger (a build directory, or a copy
# of one binary in DIR/tools/). Both servers run at once with the load data set of lib.sh;
# each round loads one, then the other, their order alternating (ROUNDS=6, DURATION=5 s,
# THREADS=2, CONNECTIONS=64).
#   get, list: single-flag GETs or list pages; per round, req/s and, from `perf stat` on the
#              server, recvfrom calls and server CPU per request.
#   write:     durable PUTs, each flipping one of 20,000 flags (flip_flags.lua); the same
#              figures per write.
#   mix:       reads.lua, then mixed.lua (95% reads / 5% durable writes); per round, the
#              read-only rate, the reads under the mix, and their ratio.
# SCRIPT=file.lua adds `-s file.lua` to the get and list loads (e.g. bench/load/sdk_headers.lua).
# Prints each round, then medians and the median of the round ratios B / A.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build_a="$1" build_b="$2" mode="${3:-get}"
ROUNDS="${ROUNDS:-6}" DURATION="${DURATION:-5}" THREADS="${THREADS:-2}" CONNECTIONS="${CONNECTIONS:-64}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
work_a="$(mktemp -d)" work_b="$(mktemp -d)"
trap 'kill $(cat "$work_a/flagledger.pid" "$work_b/flagledger.pid" 2>/dev/null) 2>/dev/null || true; sleep 0.5; rm -rf "$work_a" "$work_b"' EXIT
port_a="$(free_port)"; start_flagledger "$build_a" "$work_a" "$port_a"
port_b="$(free_port)"; start_flagledger "$build_b" "$work_b" "$port_b"
case "$mode" in
  get|mix) path="/api/v1/organizations/org-0000/feature-flags/flag-000" ;;
  list) path="/api/v1/organizations/org-0000/feature-flags?limit=20" ;;
  write) path="" ;;
  *) echo "unknown mode '$mode' (get, list, mix or write)" >&2; exit 2 ;;
esac

# round PORT WORK -> "figure1 figure2 figure3"; the first figure is the one compared.
round() {
  local url="http://127.0.0.1:$1" wrk_args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s")
  if [ "$mode" = mix ]; then
    local read_only under_mix
    read_only="$(wrk "${wrk_args[@]}" -s "$here/reads.lua" "$url$path" | awk '/Requests\/sec/ {print $2}')"
    under_mix="$(reads_under_mix "$(wrk "${wrk_args[@]}" -s "$here/mixed.lua" "$url")")"
    python3 -c "print(f'{$under_mix / $read_only:.3f} {$read_only:.0f} $under_mix')"
    return
  fi
  local pid; pid="$(cat "$2/flagledger.pid")"
  perf stat -x, -e syscalls:sys_enter_recvfrom,task-clock -p "$pid" -o "$2/perf.txt" \
    -- sleep "$((DURATION - 1))" &
  [ -n "${SCRIPT:-}" ] && wrk_args+=(-s "$SCRIPT")
  [ "$mode" = write ] && wrk_args+=(-s "$here/flip_flags.lua")
  local out; out="$(wrk "${wrk_args[@]}" "$url$path")"
  wait
  python3 - "$out" "$2/perf.txt" "$((DURATION - 1))" <<'PY'
import re, sys
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", sys.argv[1]).group(1))
counts = {f[2]: float(f[0]) for f in (l.split(",") for l in open(sys.argv[2])) if len(f) > 2}
requests = rps * float(sys.argv[3])
recv = counts.get("syscalls:sys_enter_recvfrom", 0) / requests
cpu_us = counts.get("task-clock", 0) * 1000 / requests
print(f"{rps:.0f} {recv:.2f} {cpu_us:.2f}")
PY
}

if [ "$mode" = mix ]; then legend="ratio, read-only req/s, reads/s under the mix"
else legend="req/s, recvfrom per request, server CPU us per request"; fi
echo "== $mode, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds ($legend)"
firsts_a=() firsts_b=()
for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then a="$(round "$port_a" "$work_a")"; b="$(round "$port_b" "$work_b")"
  else b="$(round "$port_b" "$work_b")"; a="$(round "$port_a" "$work_a")"; fi
  echo "  round $r: A $a | B $b"
  firsts_a+=("${a%% *}"); firsts_b+=("${b%% *}")
done
python3 - "${firsts_a[*]}" "${firsts_b[*]}" <<'PY'
import statistics, sys
a, b = ([float(x) for x in arg.split()] for arg in sys.argv[1:3])
ratios = [y / x for x, y in zip(a, b)]
print(f"  medians: A {statistics.median(a):.3f} | B {statistics.median(b):.3f}; B / A median of "
      f"round ratios {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})")
PY
