#!/usr/bin/python3
"""Splits the thread time of a dotnet-trace speedscope file (profile dotnet-sampled-thread-time) that lies under one
frame into CPU and waiting, by the first of the given frames found on the stack.

    /usr/bin/python3 benchmarks/Profiling/split_speedscope.py trace.speedscope.json "EventIntake+<PublishAsync>" \
        ProcessedEventStore CustomerStore StageAsync SaveChangesAsync

Used for docs/performance/intake-profile.md. Async code resumes on thread-pool threads, so a frame's share is the
time its own synchronous parts (and the awaits that block inside them) take, not its wall time.
"""
import collections
import json
import sys


def main() -> None:
    trace, under, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(trace, encoding="utf-8") as f:
        data = json.load(f)
    frames = [f["name"] for f in data["shared"]["frames"]]
    split = collections.Counter()
    totals = collections.Counter()
    for profile in data["profiles"]:
        stack, last = [], None
        for event in profile["events"]:
            at = event["at"]
            if stack and last is not None and at > last:
                names = [frames[i] for i in stack]
                if any(under in n for n in names):
                    kind = "cpu" if names[-1] == "CPU_TIME" else "wait"
                    hit = next((k for k in keys if any(k in n for n in names)), "other")
                    totals[kind] += at - last
                    split[(kind, hit)] += at - last
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
    total = sum(totals.values())
    print(f"thread-ms under {under}: cpu {totals['cpu']:.0f}, wait {totals['wait']:.0f}")
    for (kind, key), ms in sorted(split.items(), key=lambda kv: -kv[1]):
        print(f"{kind:5} {100 * ms / total:5.1f}%  {key}")


if __name__ == "__main__":
    main()
