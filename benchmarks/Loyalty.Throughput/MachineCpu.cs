using System.Globalization;

namespace Loyalty.Throughput;

/// <summary>
/// CPU time of the processes taking part in a stage (this harness, PostgreSQL's backends, smtp-sink, everything else)
/// and how busy the machine's cores were, read from Linux's /proc at the start and end of a measurement. Answers
/// "where did a send's CPU go" for the parts outside this process, which a profile of the harness cannot see.
/// </summary>
public sealed class MachineCpu
{
    // USER_HZ: the unit of /proc's per-process times; 100 on every Linux that .NET supports.
    private const double TicksPerSecond = 100;

    private readonly Dictionary<string, long> _ticks;
    private readonly long _busy;
    private readonly long _total;

    private MachineCpu(Dictionary<string, long> ticks, long busy, long total)
    {
        _ticks = ticks;
        _busy = busy;
        _total = total;
    }

    /// <summary>False off Linux: the stage then reports no breakdown.</summary>
    public static bool Available => OperatingSystem.IsLinux() && File.Exists("/proc/stat");

    /// <summary>Reads the times now.</summary>
    public static MachineCpu Read()
    {
        var ticks = new Dictionary<string, long>(StringComparer.Ordinal);
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended while being listed
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                continue;
            }

            var name = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            // After the name: state, ppid, ... utime is the 12th, stime, cutime, cstime follow (cutime/cstime count
            // children already reaped, e.g. PostgreSQL backends that ended under the postmaster).
            var total = 0L;
            for (var i = 11; i <= 14; i++)
            {
                total += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            var group = pid == self ? "harness" : name switch
            {
                "postgres" => "postgres",
                "smtp-sink" => "smtp-sink",
                _ => "other",
            };
            ticks[group] = ticks.GetValueOrDefault(group) + total;
        }

        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones.
        var all = cpu.Take(8).Sum();
        return new MachineCpu(ticks, all - cpu[3] - cpu[4], all);
    }

    /// <summary>Milliseconds of CPU per unit of work since <paramref name="start"/>, per process group, and the cores' busy share.</summary>
    public Dictionary<string, object?> PerUnitSince(MachineCpu start, int units)
    {
        ArgumentNullException.ThrowIfNull(start);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var group in new[] { "harness", "postgres", "smtp-sink", "other" })
        {
            var ticks = _ticks.GetValueOrDefault(group) - start._ticks.GetValueOrDefault(group);
            result[group + "_cpu_ms_per_send"] = ticks / TicksPerSecond * 1000 / units;
        }

        result["machine_busy_share"] = _total == start._total ? null : (double)(_busy - start._busy) / (_total - start._total);
        return result;
    }
}
