#!/usr/bin/python3
"""Splits the CPU samples of the SMTP send path in a dotnet-trace speedscope file (profile dotnet-sampled-thread-time)
by the innermost frame that names a component (sockets, GC, MimeKit Prepare, MimeKit, MailKit, Loyalty's delivery code,
async machinery). Only stacks with a MailKit, Loyalty.Email.Delivery or System.Net.Sockets frame count: the sampler
also reports blocked threads (finalizer, idle workers) as CPU, and composing the messages is not the send path.

    /usr/bin/python3 benchmarks/Profiling/split_send_path.py trace.speedscope.json

Used for docs/performance/deliver-profile.md.
"""
import collections, json, sys
trace = sys.argv[1]
data = json.load(open(trace))
frames = [f["name"] for f in data["shared"]["frames"]]
cats = [("socket I/O (System.Net.Sockets, syscalls)", "System.Net.Sockets!"),
        ("GC", "PollGC"), ("GC", "GarbageCollect"),
        ("MimeKit Prepare (encoding scan)", "Prepare("),
        ("MimeKit (message serialization, filters)", "MimeKit!"),
        ("MailKit (SMTP client, SmtpStream, NetworkStream)", "MailKit!"),
        ("Loyalty.Email.Delivery (pool + transport)", "Loyalty.Email!Loyalty.Email.Delivery"),
        ("async/thread-pool machinery (CoreLib)", "System.Private.CoreLib!System.Threading"),
        ("async/thread-pool machinery (CoreLib)", "System.Private.CoreLib!System.Runtime.CompilerServices"),
        ("harness loop (Parallel.ForEachAsync, lambdas)", "System.Threading.Tasks.Parallel!"),
        ("harness loop (Parallel.ForEachAsync, lambdas)", "DeliverLab!"),
        ("harness loop (Parallel.ForEachAsync, lambdas)", "Loyalty.Throughput!"),
        ]
excl = ("EmailMessageComposer", "Templates", "BenchEmail", "Fluid", "Parlot", "Fresh", "GC.Collect")
split = collections.Counter(); total = 0; excluded = 0
for p in data["profiles"]:
    stack, last = [], None
    for e in p["events"]:
        at = e["at"]
        if stack and last is not None and at > last:
            names = [frames[i] for i in stack]
            if names[-1] == "CPU_TIME":
                d = at - last
                if any(x in n for n in names for x in excl) or not any(("MailKit!" in n or "Loyalty.Email.Delivery" in n or "System.Net.Sockets!" in n) for n in names):
                    excluded += d
                else:
                    total += d
                    hit = "other (runtime, JIT, native)"
                    for n in reversed(names[:-1]):
                        m = next((c for c, pat in cats if pat in n), None)
                        if m: hit = m; break
                    split[hit] += d
        last = at
        if e["type"] == "O": stack.append(e["frame"])
        elif stack: stack.pop()
print(f"CPU thread-ms of the send loop: {total:.0f} (samples outside the send path, e.g. composing, finalizer, idle workers, excluded: {excluded:.0f})")
for k, v in split.most_common():
    print(f"{100*v/total:5.1f}%  {k}")
