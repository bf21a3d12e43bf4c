using System.Globalization;

namespace Loyalty.Throughput;

/// <summary>Command line of the harness. Every size is configurable; <c>--smoke</c> sets tiny ones.</summary>
public sealed class HarnessOptions
{
    public bool Smoke { get; private set; }

    public string OutputDirectory { get; private set; } = Path.Combine(Path.GetTempPath(), "loyalty-bench");

    public string WorkDirectory { get; private set; } = Path.Combine(Path.GetTempPath(), "loyalty-bench-work");

    public string? PostgresConnectionString { get; private set; } = Environment.GetEnvironmentVariable("LOYALTY_BENCH_POSTGRES");

    public string SmtpHost { get; private set; } = "127.0.0.1";

    public int SmtpPort { get; private set; } = 2525;

    public string SmtpSource { get; private set; } = "/usr/sbin/smtp-source";

    public string? ComposeReport { get; private set; }

    public string Stages { get; private set; } = "deliver,intake,dispatch,memory,latency";

    /// <summary>SMTP connections (the pool of every .NET side, smtp-source's sessions) and the default of <see cref="Lanes"/>.</summary>
    public int Concurrency { get; private set; } = 8;

    /// <summary>
    /// Loyalty's dispatch lanes (<c>Loyalty:Email:Concurrency</c>) and the sends the e-mail work alone has in progress:
    /// twice <see cref="Concurrency"/>, as the library's defaults (16 steps, a pool of 8), unless <c>--lanes</c> says
    /// otherwise. Lanes beyond the connections wait for one with their message rendered.
    /// </summary>
    public int Lanes => _lanes ?? 2 * Concurrency;

    private int? _lanes;

    public int DeliverMessages { get; private set; } = 5_000;

    public int IntakeEvents { get; private set; } = 2_000;

    public IReadOnlyList<int> CustomerLevels { get; private set; } = [1_000, 100_000, 1_000_000];

    public int DispatchSends { get; private set; } = 100_000;

    public int BaselineSends { get; private set; } = 100_000;

    /// <summary>
    /// Sends each dispatch variant makes first, in a database of its own, before the measured run: the JIT's tiering
    /// of EF, Npgsql, Hangfire, Fluid and MailKit code otherwise lands in whichever variant runs first (measured:
    /// 14,514 methods compiled in 9.5 s of CPU during a cold 20,000-send Loyalty run).
    /// </summary>
    public int DispatchWarmup { get; private set; } = 3_000;

    public int MemorySmallBacklog { get; private set; } = 10_000;

    public int MemoryLargeBacklog { get; private set; } = 1_000_000;

    public int MemoryDrain { get; private set; } = 10_000;

    public int LatencyEvents { get; private set; } = 1_000;

    /// <summary>The stores the intake stage measures: sqlite, postgres (postgres only with a connection string).</summary>
    public string IntakeStores { get; private set; } = "sqlite,postgres";

    /// <summary>Only rebuild summary.json and throughput.md from the throughput.json in the output directory.</summary>
    public bool SummaryOnly { get; private set; }

    /// <summary>Internal: run as the memory probe child process.</summary>
    public int? ProbeBacklog { get; private set; }

    public static HarnessOptions Parse(string[] args)
    {
        var o = new HarnessOptions();
        if (args.Contains("--smoke"))
        {
            o.Smoke = true;
            o.DeliverMessages = 40;
            o.IntakeEvents = 30;
            o.CustomerLevels = [100, 1_000];
            o.DispatchSends = 40;
            o.BaselineSends = 40;
            o.DispatchWarmup = 10;
            o.MemorySmallBacklog = 50;
            o.MemoryLargeBacklog = 500;
            o.MemoryDrain = 40;
            o.LatencyEvents = 20;
        }

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--smoke": break;
                case "--out": o.OutputDirectory = Path.GetFullPath(Next()); break;
                case "--work": o.WorkDirectory = Path.GetFullPath(Next()); break;
                case "--pg": o.PostgresConnectionString = Next(); break;
                case "--smtp-host": o.SmtpHost = Next(); break;
                case "--smtp-port": o.SmtpPort = Int(); break;
                case "--smtp-source": o.SmtpSource = Next(); break;
                case "--compose-report": o.ComposeReport = Next(); break;
                case "--stages": o.Stages = Next(); break;
                case "--concurrency": o.Concurrency = Int(); break;
                case "--lanes": o._lanes = Int(); break;
                case "--deliver": o.DeliverMessages = Int(); break;
                case "--intake": o.IntakeEvents = Int(); break;
                case "--customers": o.CustomerLevels = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList(); break;
                case "--dispatch": o.DispatchSends = Int(); break;
                case "--baseline-dispatch": o.BaselineSends = Int(); break;
                case "--dispatch-warmup": o.DispatchWarmup = Int(); break;
                case "--memory-small": o.MemorySmallBacklog = Int(); break;
                case "--memory-large": o.MemoryLargeBacklog = Int(); break;
                case "--memory-drain": o.MemoryDrain = Int(); break;
                case "--latency": o.LatencyEvents = Int(); break;
                case "--intake-stores": o.IntakeStores = Next(); break;
                case "--summary-only": o.SummaryOnly = true; break;
                case "--probe-backlog": o.ProbeBacklog = Int(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        Directory.CreateDirectory(o.OutputDirectory);
        Directory.CreateDirectory(o.WorkDirectory);
        return o;
    }

    public bool Runs(string stage) => Stages.Split(',').Contains(stage, StringComparer.OrdinalIgnoreCase);
}
