#!/usr/bin/python3
"""CPU per unit of work by frame, from a whole-machine `perf record -g` of a harness run.

    perf record -a -g -e cpu-clock -F 499 -k CLOCK_MONOTONIC -o perf.data -- <run>
    perf script -i perf.data -F comm,pid,tid,time,ip,sym > script.txt
    perf_by_frame.py script.txt --pid PID --from T0 --to T1 --units N --hz 499 PATTERN...

For the samples of one process (or of every process of one command name, e.g. `--pid postgres`) between two
perf timestamps, prints for each regular expression the CPU milliseconds per unit (per send) of the samples with a
frame matching it anywhere on the stack (inclusive), so two windows of one recording -- Loyalty's dispatch and the
e-mail work alone -- can be set side by side. The .NET frames need DOTNET_PerfMapEnabled=1 in the profiled process.
"""
import argparse
import collections
import re

parser = argparse.ArgumentParser()
parser.add_argument("script")
parser.add_argument("--pid", required=True, help="a process id, or a command name such as postgres")
parser.add_argument("--from", dest="start", type=float, default=0.0)
parser.add_argument("--to", dest="end", type=float, default=1e12)
parser.add_argument("--units", type=float, required=True, help="units of work (sends) done in the window")
parser.add_argument("--hz", type=float, default=499.0, help="the sampling frequency of the recording")
parser.add_argument("patterns", nargs="*")
args = parser.parse_intermixed_args()

HEADER = re.compile(r"(.*?)\s+(\d+)/(\d+)\s+([0-9.]+):")
total = 0
hits = collections.Counter()
threads = collections.Counter()


def account(header, frames):
    global total
    match = HEADER.match(header) if header else None
    if not match:
        return
    if args.pid not in (match.group(2), match.group(1).strip()):
        return
    if not args.start <= float(match.group(4)) <= args.end:
        return
    total += 1
    threads[match.group(1).strip()] += 1
    stack = "\n".join(frames)
    for pattern in args.patterns:
        if re.search(pattern, stack):
            hits[pattern] += 1


header, frames = None, []
with open(args.script, errors="replace") as lines:
    for line in lines:
        if not line.strip():
            account(header, frames)
            header, frames = None, []
        elif line[0] not in " \t":
            account(header, frames)
            header, frames = line.strip(), []
        else:
            frames.append(line.strip())
account(header, frames)

ms_per_sample = 1000.0 / args.hz
print(f"{total} samples = {total * ms_per_sample / args.units:.3f} ms of CPU per unit")
for name, count in threads.most_common(6):
    print(f"  thread {name}: {100 * count / max(total, 1):.1f}%")
for pattern in args.patterns:
    print(f"  {hits[pattern] * ms_per_sample / args.units:.3f} ms  {pattern}")
