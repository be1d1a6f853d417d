#!/usr/bin/env python3
"""A client of the Azid agent's socket for scripts/bench-agent.sh: the round trip of one cached token
request (p50, p90, p99 over one kept-open connection) and the requests a second from cache with several
clients at once, each on a connection of its own.

Usage: bench-agent-client.py SOCKET SCOPE [--requests N] [--clients C]
"""
import argparse
import json
import multiprocessing
import socket
import statistics
import time


def connect(path):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    return client


def ask(client, request, pending):
    """Sends one request line and returns the answer line (without the token's text kept anywhere)."""
    client.sendall(request)
    while b"\n" not in pending[0]:
        chunk = client.recv(65536)
        if not chunk:
            raise RuntimeError("the agent closed the connection")
        pending[0] += chunk
    line, _, pending[0] = pending[0].partition(b"\n")
    if b'"answer":"token"' not in line:
        raise RuntimeError("not a token: " + json.loads(line).get("error", {}).get("message", "?"))
    return len(line)


def request_line(scope):
    return (json.dumps({"v": 1, "op": "token", "account": "", "scopes": [scope], "claims": "", "tenant": "",
                        "cae": False}) + "\n").encode()


def round_trips(path, scope, count):
    client, pending, request = connect(path), [b""], request_line(scope)
    for _ in range(100):  # warm-up
        ask(client, request, pending)
    times = []
    for _ in range(count):
        start = time.perf_counter_ns()
        ask(client, request, pending)
        times.append((time.perf_counter_ns() - start) / 1000.0)
    times.sort()
    return times


def one_client(args):
    path, scope, count = args
    client, pending, request = connect(path), [b""], request_line(scope)
    for _ in range(count):
        ask(client, request, pending)
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("scope")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    times = round_trips(args.socket, args.scope, args.requests)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"round trip over one connection, {len(times)} requests: p50 {pick(0.5):.0f} us, "
          f"p90 {pick(0.9):.0f} us, p99 {pick(0.99):.0f} us, mean {statistics.mean(times):.0f} us")

    per_client = args.requests
    with multiprocessing.Pool(args.clients) as pool:
        start = time.perf_counter()
        served = sum(pool.map(one_client, [(args.socket, args.scope, per_client)] * args.clients))
        elapsed = time.perf_counter() - start
    print(f"throughput, {args.clients} clients x {per_client} requests: {served / elapsed:.0f} requests/s "
          f"({served} in {elapsed:.2f} s)")


if __name__ == "__main__":
    main()
