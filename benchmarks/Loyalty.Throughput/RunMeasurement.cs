using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Loyalty.Throughput;

/// <summary>
/// What one timed run of a stage cost: wall time, this process's CPU, the CPU of PostgreSQL and smtp-sink
/// (<see cref="MachineCpu"/>), allocations, garbage collections and the JIT's work in the meantime.
/// </summary>
public sealed class RunMeasurement
{
    private readonly Stopwatch _watch;
    private readonly TimeSpan _cpu;
    private readonly MachineCpu? _machine;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly TimeSpan _gcPause;
    private readonly long _jitted;
    private readonly TimeSpan _jitTime;

    private readonly GcPromotionListener _promotions = new();

    private RunMeasurement()
    {
        _cpu = ProcessCpu();
        _machine = MachineCpu.Available ? MachineCpu.Read() : null;
        (_allocated, _gen0, _gen1, _gen2) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _gcPause = GC.GetTotalPauseDuration();
        (_jitted, _jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        _watch = Stopwatch.StartNew();
    }

    public static RunMeasurement Start() => new();

    /// <summary>Stops the clock: the figures of <paramref name="sends"/> sends since <see cref="Start"/>.</summary>
    public Dictionary<string, object?> Stop(int sends)
    {
        _watch.Stop();
        _promotions.Dispose();
        var cpu = ProcessCpu() - _cpu;
        var machine = _machine is null ? null : MachineCpu.Read().PerUnitSince(_machine, sends);
        return new Dictionary<string, object?>
        {
            ["sends"] = sends, ["seconds"] = _watch.Elapsed.TotalSeconds, ["sends_per_s"] = sends / _watch.Elapsed.TotalSeconds,
            ["process_cpu_ms_per_send"] = cpu.TotalMilliseconds / sends, ["machine_cpu"] = machine,
            ["allocated_kb_per_send"] = (GC.GetTotalAllocatedBytes(precise: true) - _allocated) / 1024.0 / sends,
            ["gen0_collections"] = GC.CollectionCount(0) - _gen0, ["gen1_collections"] = GC.CollectionCount(1) - _gen1,
            ["gen2_collections"] = GC.CollectionCount(2) - _gen2,
            ["gen0_promoted_kb_per_gc"] = _promotions.AveragePromotedKb(0), ["gen1_promoted_kb_per_gc"] = _promotions.AveragePromotedKb(1),
            ["gc_pause_ms_per_send"] = (GC.GetTotalPauseDuration() - _gcPause).TotalMilliseconds / sends,
            ["jit_methods"] = System.Runtime.JitInfo.GetCompiledMethodCount() - _jitted, ["jit_ms"] = (System.Runtime.JitInfo.GetCompilationTime() - _jitTime).TotalMilliseconds,
        };
    }

    // CPU time of this process (all threads): on a shared machine less disturbed by other workloads than wall time.
    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>Bytes that survived each ephemeral collection (the runtime's GCHeapStats events): what a collection costs.</summary>
internal sealed class GcPromotionListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Lock _gate = new();

    // Per generation collected, 0 and 1 (a gen2 collection's survivors stay where they are).
    private readonly long[] _promoted = new long[2];
    private readonly long[] _count = new long[2];
    private int _collecting = -1;

    public double? AveragePromotedKb(int generation)
    {
        lock (_gate)
        {
            return _count[generation] == 0 ? null : _promoted[generation] / 1024.0 / _count[generation];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        long Field(string field) => Convert.ToInt64(payload[names.IndexOf(field)], CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (name.StartsWith("GCStart", StringComparison.Ordinal))
            {
                _collecting = (int)Field("Depth");
            }
            else if (name.StartsWith("GCHeapStats", StringComparison.Ordinal) && _collecting is 0 or 1)
            {
                _promoted[_collecting] += Field("TotalPromotedSize0") + Field("TotalPromotedSize1");
                _count[_collecting]++;
            }
        }
    }
}
