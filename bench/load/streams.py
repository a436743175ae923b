#!/usr/bin/env python3
"""Holds N Server-Sent Events streams open on flagledger and reads them, for
bench/load/streams.sh. Prints how many frames arrived when stopped (SIGTERM)."""
import selectors
import signal
import socket
import sys

port, count, org = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
selector = selectors.DefaultSelector()
request = (f"GET /api/v1/organizations/{org}/events/stream HTTP/1.1\r\n"
           "Host: bench\r\n\r\n").encode()
for _ in range(count):
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(request)
    connection.setblocking(False)
    selector.register(connection, selectors.EVENT_READ)
frames = 0
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
while running:
    for key, _ in selector.select(timeout=0.5):
        data = key.fileobj.recv(65536)
        frames += data.count(b"\nid: ") + data.startswith(b"id: ")
print(f"frames {frames}", flush=True)
