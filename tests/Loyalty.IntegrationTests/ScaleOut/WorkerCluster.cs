using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loyalty.IntegrationTests.Infrastructure;

namespace Loyalty.IntegrationTests.ScaleOut;

/// <summary>Worker processes over one database and one SMTP server, with the short lease the tests use.</summary>
public sealed class WorkerCluster : IAsyncDisposable
{
    /// <summary>Steps a worker works on at once, and SMTP connections it holds: what can be in flight when it dies.</summary>
    public const int Concurrency = 4;

    /// <summary>Due steps claimed at once by a worker.</summary>
    public const int BatchSize = 2 * Concurrency;

    /// <summary>
    /// For runs where no worker is killed, so nothing waits for a lease to end: a lease a loaded machine's stalls do not
    /// outlast. The 5 s default here is for the kill tests; with it, a worker stalled for more than half of it between a
    /// step's lease check and the server's reply (CI once saw a worker do so, with all test projects running at
    /// once) lets another worker claim and send that step too, a fault the exactly-once runs are not about.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NoKills { get; } = new Dictionary<string, string> { ["Loyalty:Email:Lease"] = "00:01:00" };

    private readonly Dictionary<string, string> _settings;
    private readonly List<WorkerProcess> _workers = [];

    public WorkerCluster(ReliabilityDatabase database, SmtpServerFixture smtp, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(smtp);
        _settings = new Dictionary<string, string>
        {
            ["Worker:Postgres"] = database.ConnectionString,
            ["Worker:IdlePolls"] = "5",
            ["Worker:PollInterval"] = "00:00:00.200",
            ["Worker:MaxRuntime"] = "05:00:00",
            ["Loyalty:Email:Smtp:Host"] = smtp.Host,
            ["Loyalty:Email:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Loyalty:Email:Smtp:PoolSize"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["Loyalty:Email:Concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            // A short lease, so a killed worker's rows come back within seconds; small batches, so a batch is worked
            // through well within it even on a loaded machine (a step is only started, and only sent, with half the
            // lease left).
            ["Loyalty:Email:Lease"] = "00:00:05",
            ["Loyalty:Email:BatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Loyalty:Email:FirstRetryDelay"] = "00:00:01",
            ["Loyalty:Email:MaxRetryDelay"] = "00:00:04",
            ["Loyalty:Email:GiveUpAfter"] = "1.00:00:00",
        };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                _settings[key] = value;
            }
        }
    }

    public IReadOnlyList<WorkerProcess> Workers => _workers;

    public int Kills => _workers.Count(w => w.WasKilled);

    public WorkerProcess Start(string name)
    {
        var worker = WorkerProcess.Start(name, _settings);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Waits until every worker that was not killed has exited, and checks they exited cleanly.</summary>
    public async Task WaitForAllToFinishAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var worker in _workers.Where(w => !w.WasKilled))
        {
            var left = timeout - stopwatch.Elapsed;
            if (left <= TimeSpan.Zero || !await worker.WaitForExitAsync(left))
            {
                throw new TimeoutException($"Worker {worker.Name} (pid {worker.Pid}) did not finish within {timeout}.{Environment.NewLine}{Describe()}");
            }

            if (worker.ExitCode != 0)
            {
                throw new InvalidOperationException($"Worker {worker.Name} exited with code {worker.ExitCode}.{Environment.NewLine}{Describe()}");
            }
        }
    }

    /// <summary>The tail of every worker's output, for failure messages and the test log.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var worker in _workers)
        {
            var output = worker.Output;
            var tail = output.Length > 4000 ? "..." + output[^4000..] : output;
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {worker.Name} pid {worker.Pid}{(worker.WasKilled ? " (killed)" : "")}:");
            text.AppendLine(tail);
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
    }
}

/// <summary>Polling for an external effect, with a timeout (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task<bool> TryAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }

        return true;
    }

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (!await TryAsync(condition, timeout))
        {
            throw new TimeoutException($"Timed out after {timeout}: {what()}");
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> what) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, what);
}
