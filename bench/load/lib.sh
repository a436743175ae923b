# Shared by the load scripts (source it): a free loopback port, and flagledger started with
# the standard data set (1,000 organizations x 20 flags).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_flagledger BUILD WORK PORT: serves WORK/data on PORT (pid in WORK/flagledger.pid).
# The server runs in a session of its own, as a service does and as nginx puts itself when it
# daemonizes, so the two servers meet wrk alike: with Linux's autogroup scheduling (on by
# default: /proc/sys/kernel/sched_autogroup_enabled) each session is one scheduling group.
# Measured 2026-12-06 against the server left in wrk's session: no consistent difference in
# any ratio (bench/RESULTS.md, "Both servers in sessions of their own").
start_flagledger() {
  local build="$1" work="$2" port="$3"
  # bash -c writes its own pid and execs the server, so the pid is right even if setsid forks.
  setsid bash -c 'echo $$ > "$1/flagledger.pid"; exec "$2/tools/flagledger" serve \
    --data-dir "$1/data" --listen "127.0.0.1:$3" --access-log off 2>"$1/flagledger.log"' \
    start_flagledger "$work" "$build" "$port" &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  python3 "$(dirname "${BASH_SOURCE[0]}")/prepare_data.py" "$port" 1000 20
}

# serve_named WORK NAME PORT BUILD ARGS...: `flagledger serve` on WORK/NAME (log WORK/NAME.log,
# pid WORK/NAME.pid) in a session of its own, with ARGS after the standard ones.
serve_named() {
  local work="$1" name="$2" port="$3" build="$4"
  shift 4
  setsid bash -c 'echo $$ > "$1/$2.pid"; dir="$1/$2" port="$3"; shift 3; exec "$@" \
    --data-dir "$dir" --listen "127.0.0.1:$port" --access-log off 2>"$dir.log"' \
    serve "$work" "$name" "$port" "$build/tools/flagledger" serve "$@" &
}

# stop_named WORK NAME: stops what serve_named started, and waits for it.
stop_named() {
  local pid
  pid=$(cat "$1/$2.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$1/$2.pid"
}

# reads_under_mix WRK_OUTPUT: the reads/s of a `wrk -s mixed.lua` run (its rate times the read
# share that mixed.lua's done() prints).
reads_under_mix() {
  python3 - "$1" <<'PY'
import re, sys
out = sys.argv[1]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
reads, writes = map(int, re.search(r"mixed_reads (\d+) mixed_writes (\d+)", out).groups())
print(f"{rate * reads / (reads + writes):.0f}")
PY
}
