#!/usr/bin/env python3
"""Where a .NET process's CPU went, from `perf script` text: each sample goes to the first bucket that a frame of its
stack names, walking from the leaf up, so a sample spent inside Npgsql under a grain call counts as Npgsql.

    perf record -a -g -F 299 -o run.data sleep 20          # while the stage runs (bench/README.md, "Profiling")
    perf script -i run.data -F pid,tid,comm,ip,sym,dso > run.txt
    perf_buckets.py run.txt 1234,1235                       # the silos' process ids
    perf_buckets.py one.txt 1234 --versus three.txt 2345,2346,2347

The host must run with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (and DOTNET_ReadyToRun=0 to name
framework frames too) for managed frames to have names; otherwise they land in "other".
"""
import collections
import re
import sys

BUCKETS = [
    ("thread-pool spin/park", ["sched_yield", "LowLevelLifoSemaphore", "LowLevelSpinWaiter", "futex"]),
    ("gzip", ["ZLib", "System.IO.Compression"]),
    ("npgsql", ["Npgsql"]),
    ("journal/outbox group commit", ["CopyGroupCommit", "JournalGroup"]),
    ("trace parsing", ["TraceBatchParser", "TraceRecordReader", "TraceRequestReader"]),
    ("share splitting", ["ShareSplitter"]),
    ("event mapping", ["PostHogEventMapper", "Sha1"]),
    # Also matches invocation frames whose generic types name Orleans.Serialization (Response, IInvokable).
    ("orleans invocation/serialization", ["Orleans.Serialization"]),
    ("orleans messaging", ["Orleans.Runtime.Messaging", "Orleans.Networking", "Connection+<Process"]),
    ("http client (sends)", ["System.Net.Http"]),
    ("kestrel/asp.net core", ["Microsoft.AspNetCore"]),
    ("sockets/kernel network", ["System.Net.Sockets", "sendto", "recvfrom", "epoll", "tcp_", "ip_"]),
    ("delivery loop", ["BroadcastGrains.Grains.Delivery"]),
    ("grain calls", ["InsideRuntimeClient", "ActivationData", "GrainReference"]),
    ("metrics/tracing", ["OpenTelemetry", "System.Diagnostics.Metrics", "Activity"]),
    ("timers", ["TimerQueue"]),
    ("jit", ["libclrjit"]),
]


def samples(path, pids):
    current = None
    with open(path, errors="replace") as text:
        for line in text:
            if not line.strip():
                if current and current["pid"] in pids:
                    yield current
                current = None
            elif not line.startswith((" ", "\t")):
                head = re.match(r"\s*(.+?)\s+(\d+)/(\d+)", line)
                current = {"comm": head.group(1), "pid": int(head.group(2)), "frames": []} if head else None
            elif current is not None:
                current["frames"].append(line.strip())
    if current and current["pid"] in pids:
        yield current


def bucket_counts(path, pids):
    counts = collections.Counter()
    total = 0
    for sample in samples(path, pids):
        total += 1
        if "GC" in sample["comm"]:
            counts["gc threads"] += 1
            continue
        name = "other"
        for frame in sample["frames"]:
            hit = next((b for b, keys in BUCKETS if any(k in frame for k in keys)), None)
            if hit:
                name = hit
                break
        counts[name] += 1
    return counts, total


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    first, first_total = bucket_counts(argv[1], {int(p) for p in argv[2].split(",")})
    if len(argv) >= 6 and argv[3] == "--versus":
        second, second_total = bucket_counts(argv[4], {int(p) for p in argv[5].split(",")})
        print(f"{'samples':32} {first_total:>8} {second_total:>8} {second_total - first_total:>+8}")
        for name in sorted(set(first) | set(second), key=lambda n: first[n] - second[n]):
            print(f"{name:32} {first[name]:>8} {second[name]:>8} {second[name] - first[name]:>+8}")
    else:
        print(f"{'samples':32} {first_total:>8}")
        for name, count in first.most_common():
            print(f"{name:32} {count:>8} {count / max(first_total, 1):>8.1%}")


if __name__ == "__main__":
    main(sys.argv)
