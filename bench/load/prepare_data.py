#!/usr/bin/env python3
"""Fills a running flagledger with the load benchmark's data set over HTTP (keep-alive).

usage: prepare_data.py PORT ORGANIZATIONS FLAGS_PER_ORGANIZATION
Organization "org-0000" .. ; flags "flag-000" .., every third with a rollout condition.
"""
import http.client
import json
import sys

port, organizations, flags = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
connection = http.client.HTTPConnection("127.0.0.1", port)
for o in range(organizations):
    for f in range(flags):
        body = {"flag_key": f"flag-{f:03d}", "enabled": f % 2 == 0}
        if f % 3 == 0:
            body["rollout_condition"] = {"min_version": f"2.{f}.0",
                                         "activation_date": "2026-01-15T00:00:00Z"}
        connection.request("POST", f"/api/v1/organizations/org-{o:04d}/feature-flags",
                           json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            sys.exit(f"create failed: {response.status}")
