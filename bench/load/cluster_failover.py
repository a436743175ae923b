#!/usr/bin/env python3
"""Times one failover of a flagledger cluster (bench/load/cluster.sh).

usage: cluster_failover.py KILL|TERM PORT:PIDFILE...

Finds the writer among the nodes (GET /readyz), sends it SIGKILL or SIGTERM, then creates a
flag on every other node in turn (each try with a 1 s timeout) until one answers 201, and
prints "failover SIGNAL seconds S writer OLD_PORT -> NEW_PORT": the time from the signal to the
first acknowledged write on the new writer.
"""
import http.client
import json
import os
import signal
import sys
import time

which = {"KILL": signal.SIGKILL, "TERM": signal.SIGTERM}[sys.argv[1]]
nodes = [(int(port), path) for port, path in (arg.split(":", 1) for arg in sys.argv[2:])]


def role(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        return json.loads(response.read()).get("role") if response.status == 200 else None
    except (OSError, ValueError):
        return None


writer = next(((port, path) for port, path in nodes if role(port) == "writer"), None)
if writer is None:
    sys.exit("no writer")
with open(writer[1]) as pidfile:
    pid = int(pidfile.read())
others = [port for port, _ in nodes if port != writer[0]]
start = time.monotonic()
os.kill(pid, which)
tries = 0
while time.monotonic() - start < 30:
    for port in others:
        tries += 1
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("POST", "/api/v1/organizations/failover/feature-flags",
                               json.dumps({"flag_key": f"f{os.getpid()}-{tries}", "enabled": True}),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status == 201:
                print(f"failover SIG{sys.argv[1]} seconds {time.monotonic() - start:.3f} "
                      f"writer {writer[0]} -> {port}")
                sys.exit(0)
        except OSError:
            pass
    time.sleep(0.005)
sys.exit("no write was acknowledged within 30 s")
