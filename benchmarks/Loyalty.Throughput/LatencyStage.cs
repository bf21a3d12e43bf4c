using System.Collections.Concurrent;
using System.Diagnostics;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loyalty.Throughput;

/// <summary>
/// Stage 5: publish a ServiceIssueDetected → the apology accepted by smtp-sink, on the embedded defaults (SQLite,
/// in-memory Hangfire with a server in the host, the immediate-step hand-off). One event at a time (closed loop).
/// </summary>
public static class LatencyStage
{
    public static async Task<Dictionary<string, object?>> RunAsync(HarnessOptions o)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.Sqlite, "latency", o);
        var probe = new DeliveryProbe();
        var pending = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.OrdinalIgnoreCase);
        probe.OnAccepted = (recipient, at) =>
        {
            if (pending.TryGetValue(recipient, out var done))
            {
                done.TrySetResult(at);
            }
        };
        using var host = await BenchHost.BuildAsync(o, new HostSpec
        {
            Database = db,
            Email = e => e.AddServiceRecovery(),
            Hangfire = HangfireMode.InMemory,
            HangfireServer = true,
            Services = s => s.AddSingleton<ICreditIssuer, NoCredit>(),
        }, probe);
        await host.StartAsync();

        async Task<double> OneAsync(string id)
        {
            var email = id + "@example.test";
            var done = pending[email] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(new ServiceIssueDetected
                {
                    EventId = "issue-" + id,
                    OccurredAt = DateTimeOffset.UtcNow,
                    CustomerId = id,
                    Customer = new CustomerSnapshot { Email = email, FirstName = "Somchai", Locale = "th-TH", TimeZone = "Asia/Bangkok" },
                    IssueId = "late-" + id,
                    Kind = "late-parcel",
                    Severity = ServiceIssueSeverity.Medium,
                    SuggestedCredit = 100m,
                    Currency = "THB",
                });
            }

            var accepted = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
            pending.TryRemove(email, out _);
            return Stopwatch.GetElapsedTime(start, accepted).TotalMilliseconds;
        }

        for (var i = 0; i < 5; i++)
        {
            await OneAsync($"warm{i}");
        }

        var samples = new List<double>(o.LatencyEvents);
        for (var i = 0; i < o.LatencyEvents; i++)
        {
            samples.Add(await OneAsync($"lat{i}"));
        }

        await host.StopAsync();
        samples.Sort();
        double P(double q) => samples[Math.Clamp((int)Math.Ceiling(q * samples.Count) - 1, 0, samples.Count - 1)];
        Console.WriteLine($"latency over {samples.Count} events: p50 {P(0.50):F1} ms, p95 {P(0.95):F1} ms, p99 {P(0.99):F1} ms, max {samples[^1]:F1} ms");
        return new Dictionary<string, object?>
        {
            ["events"] = samples.Count, ["p50_ms"] = P(0.50), ["p95_ms"] = P(0.95), ["p99_ms"] = P(0.99), ["max_ms"] = samples[^1], ["mean_ms"] = samples.Average(),
        };
    }

    private sealed class NoCredit : ICreditIssuer
    {
        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
