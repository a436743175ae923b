# Shared by the load scripts (source it): a free loopback port, and flagledger started with
# the standard data set (1,000 organizations x 20 flags).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_flagledger BUILD WORK PORT: serves WORK/data on PORT (pid in WORK/flagledger.pid).
start_flagledger() {
  local build="$1" work="$2" port="$3"
  "$build/tools/flagledger" serve --data-dir "$work/data" --listen "127.0.0.1:$port" \
    --access-log off 2>"$work/flagledger.log" &
  echo $! > "$work/flagledger.pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  python3 "$(dirname "${BASH_SOURCE[0]}")/prepare_data.py" "$port" 1000 20
}
