using System.Diagnostics;

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
    private readonly int _gen2;
    private readonly long _jitted;
    private readonly TimeSpan _jitTime;

    private RunMeasurement()
    {
        _cpu = ProcessCpu();
        _machine = MachineCpu.Available ? MachineCpu.Read() : null;
        (_allocated, _gen0, _gen2) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(2));
        (_jitted, _jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        _watch = Stopwatch.StartNew();
    }

    public static RunMeasurement Start() => new();

    /// <summary>Stops the clock: the figures of <paramref name="sends"/> sends since <see cref="Start"/>.</summary>
    public Dictionary<string, object?> Stop(int sends)
    {
        _watch.Stop();
        var cpu = ProcessCpu() - _cpu;
        var machine = _machine is null ? null : MachineCpu.Read().PerUnitSince(_machine, sends);
        return new Dictionary<string, object?>
        {
            ["sends"] = sends, ["seconds"] = _watch.Elapsed.TotalSeconds, ["sends_per_s"] = sends / _watch.Elapsed.TotalSeconds,
            ["process_cpu_ms_per_send"] = cpu.TotalMilliseconds / sends, ["machine_cpu"] = machine,
            ["allocated_kb_per_send"] = (GC.GetTotalAllocatedBytes() - _allocated) / 1024.0 / sends,
            ["gen0_collections"] = GC.CollectionCount(0) - _gen0, ["gen2_collections"] = GC.CollectionCount(2) - _gen2,
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
