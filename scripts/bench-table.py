#!/usr/bin/env python3
"""Prints scripts/bench.sh's one table (Markdown) from the run's results: Azid's figure, the floor
measured in the same run where there is one, and the target.

Usage: bench-table.py CREDENTIALS_JSON STORAGE_JSON HYPERFINE_JSON PEAK_RSS_KIB
(the first two are Google Benchmark's --benchmark_out JSON, the third hyperfine's --export-json)."""
import json
import sys


def aggregates(path):
    """{(run_name, aggregate): benchmark} of a Google Benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    found = {}
    for b in data["benchmarks"]:
        found[(b.get("run_name", b["name"]), b.get("aggregate_name", ""))] = b
    return found


def seconds(b, key="real_time"):
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    return b[key] * scale


def micro(value):
    return f"{value * 1e6:.2f} µs"


def milli(value):
    return f"{value * 1e3:.2f} ms"


def main():
    credentials = aggregates(sys.argv[1])
    storage = aggregates(sys.argv[2])
    with open(sys.argv[3]) as f:
        cli = json.load(f)["results"][0]
    peak_kib = int(sys.argv[4])

    def median(results, name):
        return results.get((name, "median"))

    rows = []
    for kind in ["user", "client_secret", "certificate", "managed_identity", "chained", "default"]:
        b = median(credentials, f"BM_CachedGetToken/{kind}")
        if b:
            rows.append((f"cached `getToken`, {kind.replace('_', ' ')} (median)",
                         f"{micro(seconds(b))} ({micro(seconds(b, 'cpu_time'))} CPU)", "", "≤ 0.4 µs"))

    lookups = [median(credentials, f"BM_CacheLookup/{n}") for n in (10, 100, 1000, 10000)]
    if all(lookups):
        rows.append(("cache look-up with 10 / 100 / 1,000 / 10,000 entries (CPU)",
                     " / ".join(micro(seconds(b, "cpu_time")) for b in lookups), "", "flat"))

    azid = median(credentials, "BM_NetworkTokenRequest/real_time")
    floor = median(credentials, "BM_CurlKeepAlivePost/iterations:1/manual_time")
    if azid and floor:
        ratio = seconds(azid) / seconds(floor)
        rows.append(("one token request (client credentials, same POST), median",
                     f"{milli(seconds(azid))}: {ratio:.2f}× the floor",
                     f"{milli(seconds(floor))} (curl, one kept-alive connection)", "≤ 1.5× the floor"))
    qt = median(credentials, "BM_QtKeepAlivePost/real_time")
    if qt and floor:
        rows.append(("the same POST through a bare `QNetworkAccessManager`, median",
                     f"{milli(seconds(qt))}: {seconds(qt) / seconds(floor):.2f}× the floor", "", ""))
    user = median(credentials, "BM_NetworkTokenRequest_User/real_time")
    if user:
        rows.append(("one user token request (refresh token grant), median", milli(seconds(user)), "", ""))

    fresh = median(credentials, "BM_NewCredentialFirstToken/iterations:200/real_time")
    if fresh:
        rows.append(("first token of a new credential in a warm process, median",
                     f"{milli(seconds(fresh))}; per 200 credentials "
                     f"{fresh.get('discovery_requests_per_200', 0):.0f} discovery requests, "
                     f"{fresh.get('tls_handshakes_per_200', 0):.0f} TLS handshakes", "", "≤ 1.5 ms"))

    concurrent = median(credentials, "BM_ConcurrentExpiredKey/iterations:5/real_time")
    if concurrent:
        rows.append(("1,000 concurrent `getToken` on one expired key",
                     f"{concurrent.get('token_requests_per_1000', 0):.0f} token request", "", "exactly 1"))

    load = median(storage, "BM_LoadCache/1000/real_time") or median(storage, "BM_LoadCache/real_time")
    if load:
        rows.append(("load + decrypt + index a cache of 1,000 accounts × 5 scopes", milli(seconds(load)), "",
                     "≤ 20 ms"))
    save = median(storage, "BM_SaveCache/1000/real_time")
    if save:
        rows.append(("write that cache after a change", milli(seconds(save)), "", "≤ 30 ms"))

    rows.append(("`azid-cli token`, cached, process start to exit (hyperfine)",
                 f"{cli['mean'] * 1e3:.1f} ms mean, {cli['min'] * 1e3:.1f} ms min", "", "≤ 25 ms"))
    rows.append(("`azid-cli token`, peak RSS", f"{peak_kib / 1024:.1f} MiB", "", "≤ 20 MiB"))

    print("| what | Azid | floor, same run | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
