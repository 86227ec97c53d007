#!/usr/bin/env python3
"""The SYN flood check of tests/qemu/tcp.test.ts, run inside the test's namespace: an echo
connection to GUEST:PORT is kept busy (64 KiB writes, every echoed byte counted) for SECONDS to
measure its rate; then hping3 floods the port with SYNs (COUNT of them, one every INTERVAL
microseconds, from the host's address and changing source ports) while the same connection is
measured again, and a new connection is opened in the middle of the flood and must echo a line.
Prints one JSON line: the two rates (bytes a second), whether the new connection worked, whether
hping3 was still flooding at the end, and how many SYNs it sent (its own count, -1 if unknown). Bounded: every socket has a timeout, hping3 is killed after the measurement."""

import json
import os
import select
import socket
import subprocess
import sys
import time

GUEST, PORT, SECONDS, COUNT, INTERVAL = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
CHUNK = os.urandom(65536)


def measure(connection: socket.socket, seconds: float, during=None, flood=None) -> float:
    """Bytes echoed a second over `seconds`; `during` runs once, halfway; when `flood` (hping3)
    ends before `seconds` are over, result["flood_ended_after"] says when."""
    received = 0
    outstanding = 0
    start = time.monotonic()
    end = start + seconds
    ran = during is None
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if flood is not None and "flood_ended_after" not in result and flood.poll() is not None:
            result["flood_ended_after"] = round(now - start, 3)
        if not ran and now >= start + seconds / 2:
            during()
            ran = True
        want_write = outstanding < 4 * len(CHUNK)
        readable, writable, _ = select.select([connection], [connection] if want_write else [], [], 0.2)
        if readable:
            data = connection.recv(1 << 20)
            if not data:
                raise RuntimeError("the echo connection ended")
            received += len(data)
            outstanding -= len(data)
        if writable:
            sent = connection.send(CHUNK)
            outstanding += sent
    return received / seconds


def drain(connection: socket.socket) -> None:
    """Reads the echoes still under way, so the next measurement starts from an idle pipe."""
    connection.settimeout(0.5)
    try:
        while connection.recv(1 << 20):
            pass
    except socket.timeout:
        pass
    connection.settimeout(None)


result = {"new_connection": False}


def new_connection() -> None:
    try:
        with socket.create_connection((GUEST, PORT), timeout=10) as other:
            other.settimeout(10)
            other.sendall(b"a new connection during the flood\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = other.recv(100)
                if not chunk:
                    break
                data += chunk
            result["new_connection"] = data == b"a new connection during the flood\n"
    except OSError as error:
        result["new_connection_error"] = str(error)


connection = socket.create_connection((GUEST, PORT), timeout=10)
connection.settimeout(None)
measure(connection, 1.0)   # warm-up: slow start over
drain(connection)
result["baseline"] = measure(connection, SECONDS)
drain(connection)
flood = subprocess.Popen(["hping3", "-q", "-S", "-p", str(PORT), "-i", "u%d" % INTERVAL, "-c", str(COUNT), GUEST],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
time.sleep(0.5)
result["during"] = measure(connection, SECONDS, new_connection, flood)
result["flood_running"] = flood.poll() is None
flood.send_signal(2)   # SIGINT: hping3 prints what it sent
try:
    _, errors = flood.communicate(timeout=10)
except subprocess.TimeoutExpired:
    flood.kill()
    _, errors = flood.communicate()
sent = [line for line in errors.decode(errors="replace").splitlines() if "packets transmitted" in line]
result["syns"] = int(sent[0].split()[0]) if sent else -1
if not result["flood_running"]:
    result["hping3"] = errors.decode(errors="replace")[-300:]
result["flood_seconds"] = SECONDS + 0.5
connection.close()
print(json.dumps(result), flush=True)
