#!/usr/bin/env bash
# Load benchmark: flagledger against nginx serving the same bytes from memory, with wrk.
#
#   bench/load/run.sh            (ROUNDS=5 DURATION=5 by default; BUILD=build/release)
#
# One run: installs nginx and wrk if missing (apt), builds flagledger, prepares a data set
# (1,000 organizations x 20 flags), starts nginx (2 workers, access log off) answering exactly
# the bytes of a single-flag GET (and of a list page of 20) with default_type
# application/json, then alternates the two servers over ROUNDS rounds per scenario with
# identical wrk settings (keep-alive): single-flag GET at -t1 -c32 and -t2 -c64, the list
# page at -t2 -c64, and for flagledger a 95% read / 5% durable write mix beside its read-only
# rate (both driven by a Lua request function, reads.lua and mixed.lua, so they differ only in
# the writes). Prints requests/s and p50/p99 latency per round, and medians, min-max and ratios.
# Both servers run in sessions of their own (nginx daemonizes; lib.sh starts flagledger with
# setsid), so Linux's autogroup scheduling treats them alike against wrk.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-5}"
DURATION="${DURATION:-5}"
BUILD="${BUILD:-$repo/build/release}"
work="$(mktemp -d)"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
"$repo/tools/dev" build >/dev/null

source "$repo/bench/load/lib.sh"

# flagledger with the data set.
fl_port="$(free_port)"
start_flagledger "$BUILD" "$work" "$fl_port"
flag_path="/api/v1/organizations/org-0000/feature-flags/flag-000"
list_path="/api/v1/organizations/org-0000/feature-flags?limit=20"
flag_body="$(curl -sf "http://127.0.0.1:$fl_port$flag_path")"
list_body="$(curl -sf "http://127.0.0.1:$fl_port$list_path")"

# nginx with the same bytes.
ng_port="$(free_port)"
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$ng_port;
    location = /flag { default_type application/json; return 200 '$flag_body'; }
    location = /list { default_type application/json; return 200 '$list_body'; }
  }
}
NGINX
"$nginx_bin" -c "$work/nginx.conf" -p "$work"
sleep 0.3
[ "$(curl -sf "http://127.0.0.1:$ng_port/flag")" = "$flag_body" ] || { echo "nginx body differs" >&2; exit 1; }

# wrk_round URL THREADS CONNECTIONS [SCRIPT] -> "rps p50_ms p99_ms"
wrk_round() {
  local out
  out="$(wrk -t"$2" -c"$3" -d"${DURATION}s" --latency ${4:+-s "$4"} "$1")"
  echo "$out" > "$work/last-wrk.txt"
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", out).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
print(f"{rps:.0f} {p50:.3f} {p99:.3f}")
PY
}

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.3f} {min(v):.3f} {max(v):.3f}")' "$@"; }

# scenario NAME FLAGLEDGER_URL NGINX_URL THREADS CONNECTIONS
scenario() {
  local name="$1" fl_url="$2" ng_url="$3" t="$4" c="$5"
  local fl_rps=() ng_rps=() fl_p50=() ng_p50=() fl_p99=() ng_p99=() ratios=()
  echo "== $name (wrk -t$t -c$c -d${DURATION}s, $ROUNDS rounds, alternating)"
  for round in $(seq "$ROUNDS"); do
    read -r a b c_ <<<"$(wrk_round "$fl_url" "$t" "$c")"
    read -r x y z <<<"$(wrk_round "$ng_url" "$t" "$c")"
    fl_rps+=("$a"); fl_p50+=("$b"); fl_p99+=("$c_"); ng_rps+=("$x"); ng_p50+=("$y"); ng_p99+=("$z")
    ratios+=("$(python3 -c "print($a/$x)")")
    printf '  round %d: flagledger %8.0f req/s p50 %6.3f ms p99 %6.3f ms | nginx %8.0f req/s p50 %6.3f ms p99 %6.3f ms\n' \
      "$round" "$a" "$b" "$c_" "$x" "$y" "$z"
  done
  echo "  median (min-max) req/s: flagledger $(median "${fl_rps[@]}") | nginx $(median "${ng_rps[@]}")"
  echo "  median p99 ms: flagledger $(median "${fl_p99[@]}" | cut -d' ' -f1) | nginx $(median "${ng_p99[@]}" | cut -d' ' -f1)"
  echo "  flagledger/nginx req/s: median of round ratios $(median "${ratios[@]}" | cut -d' ' -f1)" \
       "(min-max $(median "${ratios[@]}" | cut -d' ' -f2-)); p99 ratio $(python3 -c "print(round($(median "${fl_p99[@]}" | cut -d' ' -f1)/$(median "${ng_p99[@]}" | cut -d' ' -f1),3))")"
}

fl="http://127.0.0.1:$fl_port"; ng="http://127.0.0.1:$ng_port"
echo "body: ${#flag_body} bytes (single flag), ${#list_body} bytes (list of 20)"
scenario "single-flag GET" "$fl$flag_path" "$ng/flag" 1 32
scenario "single-flag GET" "$fl$flag_path" "$ng/flag" 2 64
scenario "list page of 20" "$fl$list_path" "$ng/list" 2 64

echo "== mixed 95% read / 5% durable write against flagledger (wrk -t2 -c64, $ROUNDS rounds)"
read_only=(); mixed_reads=(); mixed_ratios=()
for round in $(seq "$ROUNDS"); do
  read -r a _ _ <<<"$(wrk_round "$fl$flag_path" 2 64 "$repo/bench/load/reads.lua")"
  read -r m _ p99 <<<"$(wrk_round "$fl" 2 64 "$repo/bench/load/mixed.lua")"
  read_rate="$(reads_under_mix "$(cat "$work/last-wrk.txt")")"
  ratio="$(python3 -c "print($read_rate/$a)")"
  read_only+=("$a"); mixed_reads+=("$read_rate"); mixed_ratios+=("$ratio")
  printf '  round %d: read-only %8.0f req/s | mixed %8.0f req/s, of which reads %8.0f/s (p99 %s ms) -> %.3f\n' \
    "$round" "$a" "$m" "$read_rate" "$p99" "$ratio"
done
echo "  median reads/s: read-only $(median "${read_only[@]}") | under 5% writes $(median "${mixed_reads[@]}")"
echo "  reads under writes / read-only: median of round ratios $(median "${mixed_ratios[@]}" | cut -d' ' -f1)" \
     "(min-max $(median "${mixed_ratios[@]}" | cut -d' ' -f2-))"
