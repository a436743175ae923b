#!/usr/bin/env python3
"""Measures a read replica's lag while a load runs on its leader (bench/load/replica_lag.sh).

usage: replica_probe.py LEADER_PORT REPLICA_PORT SECONDS

Every 10 ms: toggles the flag probe/p on the leader (durable PUT) and notes when the answer
arrived and its Flagledger-Event-Sequence S; asks the replica at once for the sequence it has
applied (A: lag in events = S - A); then reads the flag on the replica with
Flagledger-Min-Sequence: S, which the replica answers once it has applied S (lag in ms = that
answer's arrival - the leader's). Prints p50/p90/p99/max of both.
"""
import http.client
import json
import sys
import time

leader_port, replica_port, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
leader = http.client.HTTPConnection("127.0.0.1", leader_port)
replica = http.client.HTTPConnection("127.0.0.1", replica_port)
path = "/api/v1/organizations/probe/feature-flags"


def send(connection, method, target, body=None, headers=None):
    connection.request(method, target, body, headers or {})
    response = connection.getresponse()
    response.read()
    return response


created = send(leader, "POST", path, json.dumps({"flag_key": "p", "enabled": False}),
               {"Content-Type": "application/json"})
if created.status not in (201, 409):
    sys.exit(f"cannot create the probe flag: {created.status}")

events, millis, refused = [], [], 0
enabled = False
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    enabled = not enabled
    written = send(leader, "PUT", path + "/p", json.dumps({"enabled": enabled}),
                   {"Content-Type": "application/json"})
    acknowledged = time.monotonic()
    if written.status != 200:
        sys.exit(f"the probe's write failed: {written.status}")
    sequence = int(written.getheader("Flagledger-Event-Sequence"))
    seen = send(replica, "GET", path + "/p")
    events.append(max(0, sequence - int(seen.getheader("Flagledger-Event-Sequence"))))
    visible = send(replica, "GET", path + "/p", headers={"Flagledger-Min-Sequence": str(sequence)})
    if visible.status != 200:
        refused += 1
        continue
    millis.append((time.monotonic() - acknowledged) * 1000)
    time.sleep(0.01)


def percentiles(values):
    if not values:
        return "none"
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"p50 {pick(0.5):.1f} p90 {pick(0.9):.1f} p99 {pick(0.99):.1f} max {values[-1]:.1f}"


print(f"probes {len(millis)} (replica_behind {refused})")
print(f"lag_events {percentiles(events)}")
print(f"lag_ms {percentiles(millis)}")
